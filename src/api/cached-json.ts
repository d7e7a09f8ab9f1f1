import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply } from 'fastify';
import { COMPRESSION } from './compression.ts';

const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: COMPRESSION.brotliQuality } };
const ENCODINGS: string[] = [...COMPRESSION.encodings];

type Encoding = (typeof COMPRESSION.encodings)[number];

interface Body {
  json: string;
  br?: Buffer;
  gzip?: Buffer;
}

/**
 * The response bodies of cached answers (VersionedCache values), made once per answer instead of
 * once per request: the JSON envelope as the route's response schema serializes it, and its brotli
 * and gzip forms when a client asks for them. A warm request then costs its version read and a
 * write of bytes already made; re-serializing a 10-series answer on every hit was most of its CPU.
 * Bodies are held while their answer object is (a WeakMap), so a cache's eviction frees them; the
 * bytes a cache counts are its answers' JSON, and each answer keeps about as much again here. One
 * instance per route, since the body is that route's serialization.
 */
export class CachedJson {
  private readonly bodies = new WeakMap<object, Body>();

  /** Sends the envelope `wrap` makes of `answer`, serialized (and compressed) the first time only. */
  send(reply: FastifyReply, answer: object, wrap: () => object): FastifyReply {
    let body = this.bodies.get(answer);
    if (!body) {
      body = { json: reply.serialize(wrap()) as string };
      this.bodies.set(answer, body);
    }
    reply.type('application/json; charset=utf-8');
    const encoding = body.json.length >= COMPRESSION.threshold ? acceptedEncoding(reply) : undefined;
    if (!encoding) return reply.send(body.json);
    body[encoding] ??= encoding === 'br' ? brotliCompressSync(body.json, BROTLI) : gzipSync(body.json);
    // Set before onSend, so @fastify/compress passes the bytes through as already compressed.
    addVary(reply);
    return reply.header('content-encoding', encoding).send(body[encoding]);
  }
}

/** Adds accept-encoding to the reply's Vary header (CORS may have set Origin there), as @fastify/compress does. */
function addVary(reply: FastifyReply) {
  const vary = reply.getHeader('vary');
  const values = vary === undefined ? [] : Array.isArray(vary) ? vary : [String(vary)];
  if (!values.some((v) => v.toLowerCase().includes('accept-encoding')))
    reply.header('vary', values.concat('accept-encoding').join(', '));
}

/** The encoding @fastify/compress would pick for this request (its negotiation and aliases), if any. */
function acceptedEncoding(reply: FastifyReply): Encoding | undefined {
  const headers = reply.request.headers;
  const accept = headers['accept-encoding'];
  if (accept === undefined || headers['x-no-compression'] !== undefined) return undefined;
  const encoding = negotiate(accept.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), ENCODINGS);
  return encoding === 'br' || encoding === 'gzip' ? encoding : undefined;
}
