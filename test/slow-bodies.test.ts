import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

/** A body trickling in (the slowloris pattern) loses its connection once past the deadline; a normal one is answered. */
describe('body-read deadline', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    database = await databaseTargets()[0]!.open();
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database,
      logger: false,
      webRoot: false,
      bodyDeadline: { graceMs: 1000, minBytesPerSecond: 1000 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it('closes a connection whose body arrives a byte at a time', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    );
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    socket.on('error', () => {});
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    const after = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 10_000))]);
    clearInterval(trickle);
    socket.destroy();
    expect(after, 'the connection was still open after 10 s').toBeGreaterThan(0);
    expect(after).toBeLessThan(5000);
  });

  it('answers a body that arrives at a normal pace', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@test.example', password: 'not a password' }),
    });
    expect(response.status).toBe(401);
  });
});
