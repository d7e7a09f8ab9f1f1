import type { FastifyInstance } from 'fastify';

/**
 * Body-read deadlines: a client sending its body a byte at a time would otherwise hold a
 * connection (and the import's transaction) for as long as Node's requestTimeout (5 minutes). A
 * body must arrive at `minBytesPerSecond` on average once `graceMs` have passed; a slower one's
 * connection is closed. Measured from the socket's byte count, so the body stream itself is left
 * alone (reading it here would take it from the parser). 64 KiB/s still lets a 256 MiB import
 * through in about an hour; one byte every 10 s is cut after the grace.
 */
export interface BodyDeadline {
  graceMs: number;
  minBytesPerSecond: number;
}

export const BODY_DEADLINE: BodyDeadline = { graceMs: 30_000, minBytesPerSecond: 64 * 1024 };

export function registerBodyDeadline(app: FastifyInstance, deadline: BodyDeadline = BODY_DEADLINE): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    const hasBody = Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
    if (!hasBody || !raw.socket) return done();
    const socket = raw.socket;
    const started = Date.now();
    const startBytes = socket.bytesRead;
    const timer = setInterval(
      () => {
        const received = socket.bytesRead - startBytes;
        const allowed = deadline.graceMs + (received / deadline.minBytesPerSecond) * 1000;
        if (Date.now() - started > allowed) {
          clearInterval(timer);
          request.log.info({ received, ms: Date.now() - started }, 'request body too slow: connection closed');
          socket.destroy();
        }
      },
      Math.min(1000, deadline.graceMs),
    );
    timer.unref();
    const stop = () => clearInterval(timer);
    raw.once('end', stop);
    raw.once('close', stop);
    raw.once('error', stop);
    done();
  });
}
