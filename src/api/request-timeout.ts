import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { TimeoutError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * False for routes that run long by design (a streamed import, a sync awaited to its end, a
     * live event stream): REQUEST_TIMEOUT_MS does not apply to them.
     */
    requestTimeout?: false;
  }
}

/**
 * REQUEST_TIMEOUT_MS: a route's handler that has not answered in time is answered 503 TIMEOUT in
 * the envelope. Node's own `requestTimeout` only bounds how long the request takes to *arrive*
 * (slow bodies have their own deadline, src/api/slow-bodies.ts); this bounds the work. The handler
 * is raced against a timer rather than the reply being sent from a timer so the answer goes
 * through the one error handler, and a handler finishing later is simply not heard. Work already
 * handed to PostgreSQL stops at STATEMENT_TIMEOUT_MS; on the embedded database it runs to its end
 * (PGlite cannot cancel a statement), only the client stops waiting.
 * Registered before any route: `onRoute` sees only the routes added after it.
 */
export function registerRequestTimeout(app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  // Replies whose answer has begun: a streamed export's headers wait for its first compressed
  // bytes, so neither `reply.sent` (false until the last byte) nor `headersSent` tells in time.
  const answering = new WeakSet<object>();
  app.addHook('onSend', (request, _reply, _payload, done) => {
    answering.add(request);
    done();
  });
  app.addHook('onRoute', (route) => {
    if (route.config?.requestTimeout === false) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function timed(this: FastifyInstance, request, reply) {
      const result = handler.call(this, request, reply) as unknown;
      if (!(result instanceof Promise)) return result as ReturnType<RouteHandlerMethod>;
      // One promise settled by whichever comes first (rather than a timer promise, a race and a
      // finally: three promises more on every request).
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          // An answer already under way (a streamed export, a hijacked reply) is left to finish.
          if (reply.sent || reply.raw.headersSent || answering.has(request)) return;
          request.log.warn({ timeout_ms: timeoutMs, route: request.routeOptions.url }, 'request timed out');
          reject(
            new TimeoutError(
              `The request took longer than this server allows (REQUEST_TIMEOUT_MS, ${timeoutMs} ms); try a narrower request or again later`,
              { timeout_ms: timeoutMs },
            ),
          );
        }, timeoutMs);
        result.then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      }) as ReturnType<RouteHandlerMethod>;
    };
  });
}
