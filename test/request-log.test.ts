import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLogger } from '../src/api/request-log.ts';

/** The request logger is made lazily; what it writes must be what the eager pino child wrote. */
describe('request logger', () => {
  const server = async (level: string) => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    const app = Fastify({
      loggerInstance: pino({ level }, sink) as unknown as FastifyBaseLogger,
      childLoggerFactory: requestLogger,
      genReqId: () => 'req-1',
    });
    app.get('/warn', async (request) => {
      request.log.warn({ detail: 7 }, 'something to see');
      return { ok: true };
    });
    app.get('/info', async (request) => {
      request.log.info('routine');
      return { ok: true };
    });
    app.get('/child', async (request) => {
      request.log.child({ part: 'inner' }).error('from a child');
      return { ok: true };
    });
    await app.ready();
    return { app, lines };
  };

  it('writes enabled lines with the request id and its fields, and nothing below the level', async () => {
    const { app, lines } = await server('warn');
    expect((await app.inject('/warn')).statusCode).toBe(200);
    expect((await app.inject('/info')).statusCode).toBe(200);
    expect((await app.inject('/child')).statusCode).toBe(200);
    const written = lines.map(({ level, reqId, msg, detail, part }) => ({ level, reqId, msg, detail, part }));
    expect(written).toEqual([
      { level: 40, reqId: 'req-1', msg: 'something to see', detail: 7, part: undefined },
      { level: 50, reqId: 'req-1', msg: 'from a child', detail: undefined, part: 'inner' },
    ]);
    await app.close();
  });

  it("at info writes Fastify's own request lines with the request id, as an eager child did", async () => {
    const { app, lines } = await server('info');
    await app.inject('/info');
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['req-1', 'incoming request'],
      ['req-1', 'routine'],
      ['req-1', 'request completed'],
    ]);
    await app.close();
  });
});
