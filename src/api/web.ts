import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` writes the dashboard. */
export const defaultWebRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** Paths the server owns; everything else that is not a file is a dashboard route. */
const SERVER_PATHS = /^\/(api|docs|openapi\.json|health|metrics)(\/|$|\?)/;
/** A missing file (favicon.ico, a stale hashed asset) is a 404, not the page shell. */
const FILE_PATH = /\.(js|mjs|css|map|ico|png|jpe?g|gif|svg|webp|woff2?|ttf|txt|json|xml|webmanifest)$/i;

export function hasDashboard(root: string) {
  return fs.existsSync(path.join(root, 'index.html'));
}

/**
 * Serves the built dashboard. Files under assets/ carry a content hash in their names (Vite), so
 * they are cached for a year as immutable; everything else, index.html first, is revalidated
 * (`no-cache`), so a new build is picked up on the next load. The build writes a brotli (.br) and
 * a gzip (.gz) copy beside each compressible file (web/vite.config.ts), sent to a client that
 * accepts one, so the dashboard's files are not compressed per request.
 */
export async function registerDashboard(app: FastifyInstance, root: string) {
  await app.register(fastifyStatic, {
    root,
    index: false,
    wildcard: true,
    preCompressed: true,
    // The header comes from setHeaders alone: with its own cache control on, the static handler
    // replaced it with `public, max-age=0` after setHeaders ran.
    cacheControl: false,
    setHeaders(res, filePath) {
      const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      // The same URL answers brotli, gzip or plain bytes by the request's accept-encoding.
      res.setHeader('vary', 'accept-encoding');
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
