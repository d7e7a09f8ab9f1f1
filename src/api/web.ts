import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` writes the dashboard. */
export const defaultWebRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** Paths the server owns; everything else that is not a file is a dashboard route. */
const SERVER_PATHS = /^\/(api|docs|openapi\.json|health)(\/|$|\?)/;
/** A missing file (favicon.ico, a stale hashed asset) is a 404, not the page shell. */
const FILE_PATH = /\.(js|mjs|css|map|ico|png|jpe?g|gif|svg|webp|woff2?|ttf|txt|json|xml|webmanifest)$/i;

export function hasDashboard(root: string) {
  return fs.existsSync(path.join(root, 'index.html'));
}

/**
 * Serves the built dashboard. Hashed assets are cached for a year; index.html never, so a new
 * build is picked up on the next load.
 */
export async function registerDashboard(app: FastifyInstance, root: string) {
  await app.register(fastifyStatic, {
    root,
    index: false,
    wildcard: true,
    setHeaders(res, filePath) {
      const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // The root is the overview page (the static handler alone would refuse a directory).
  app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html'),
  );
}

/**
 * SPA fallback: a GET for a page path (not an API path, not a missing asset file) answers
 * index.html so deep links such as /daos/decentraland work on reload.
 */
export function spaFallback(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const url = request.url;
  const pathname = url.split('?')[0]!;
  if (SERVER_PATHS.test(url) || pathname.startsWith('/assets/') || FILE_PATH.test(pathname)) return false;
  reply.header('cache-control', 'no-cache');
  void reply.type('text/html; charset=utf-8').sendFile('index.html');
  return true;
}
