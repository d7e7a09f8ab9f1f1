import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { type Logger, redisWarnings } from '../logger/index.ts';
import type { LiveEvent } from './types.ts';

/**
 * Live events (new proposals, votes, state changes, sync outcomes) from whoever stores them to
 * every stream subscriber. Without Redis the bus is this process; with Redis every event goes
 * through one pub/sub channel, so an API process serves events stored by any worker.
 */
export interface EventBus {
  publish(event: LiveEvent): void;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Resolves once the bus delivers events (the Redis subscription is active). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createEventBus(options: { redisUrl?: string | undefined; channel?: string; logger: Logger }): EventBus {
  return options.redisUrl
    ? redisBus(options.redisUrl, options.channel ?? 'dao-portal:live', options.logger)
    : localBus();
}

function localBus(): EventBus {
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    publish: (event) => void emitter.emit('event', event),
    subscribe(listener) {
      emitter.on('event', listener);
      return () => void emitter.off('event', listener);
    },
    ready: async () => {},
    close: async () => void emitter.removeAllListeners(),
  };
}

function redisBus(url: string, channel: string, logger: Logger): EventBus {
  const local = localBus();
  // A subscribed connection can do nothing else, hence two.
  const publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: false });
  for (const client of [publisher, subscriber]) {
    const warnings = redisWarnings(logger, 'live events');
    client.on('error', warnings.failed);
    client.on('ready', warnings.recovered);
  }
  const subscribed = subscriber.subscribe(channel);
  subscribed.catch((error) => logger.error({ err: error }, 'live events: could not subscribe'));
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      local.publish(JSON.parse(message) as LiveEvent);
    } catch (error) {
      logger.warn({ err: error }, 'live events: dropped a malformed message');
    }
  });
  return {
    // Events reach local subscribers through Redis too, so every process sees one copy, in order.
    publish(event) {
      publisher
        .publish(channel, JSON.stringify(event))
        .catch((error) => logger.warn({ err: error, event: event.type }, 'live events: publish failed'));
    },
    subscribe: local.subscribe,
    ready: async () => void (await subscribed),
    async close() {
      await local.close();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
