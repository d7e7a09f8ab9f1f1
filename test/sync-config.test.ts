import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/errors.ts';

describe('sync configuration', () => {
  it('defaults to a five-minute interval, two jobs at once, five attempts from 10 s, and serve working jobs', () => {
    expect(loadConfig({}).sync).toEqual({
      intervalSeconds: 300,
      concurrency: 2,
      attempts: 5,
      backoffSeconds: 10,
      worker: true,
      queuePrefix: 'dao-portal',
      stalledSeconds: 30,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        SYNC_INTERVAL_SECONDS: '60',
        SYNC_CONCURRENCY: '8',
        SYNC_ATTEMPTS: '3',
        SYNC_BACKOFF_SECONDS: '0',
        SYNC_WORKER: 'false',
        SYNC_QUEUE_PREFIX: 'portal-a',
        SYNC_STALLED_SECONDS: '5',
      }).sync,
    ).toEqual({
      intervalSeconds: 60,
      concurrency: 8,
      attempts: 3,
      backoffSeconds: 0,
      worker: false,
      queuePrefix: 'portal-a',
      stalledSeconds: 5,
    });
    expect(loadConfig({ SYNC_WORKER: 'yes' }).sync.worker).toBe(true);
  });

  it.each([
    [{ SYNC_INTERVAL_SECONDS: '0' }, "SYNC_INTERVAL_SECONDS must be an integer from 1 to 604800, got '0'"],
    [{ SYNC_CONCURRENCY: 'many' }, "SYNC_CONCURRENCY must be an integer from 1 to 64, got 'many'"],
    [{ SYNC_ATTEMPTS: '0' }, "SYNC_ATTEMPTS must be an integer from 1 to 100, got '0'"],
    [{ SYNC_BACKOFF_SECONDS: '-1' }, "SYNC_BACKOFF_SECONDS must be an integer from 0 to 86400, got '-1'"],
    [{ SYNC_WORKER: 'maybe' }, "SYNC_WORKER must be true or false, got 'maybe'"],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
