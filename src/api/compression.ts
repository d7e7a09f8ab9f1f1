/**
 * How API answers are compressed: the settings @fastify/compress is registered with
 * (src/api/server.ts) and that cached answers use for the bodies they compress once
 * (src/api/cached-json.ts), so both send the same encodings from the same size on.
 */
export const COMPRESSION = {
  /** In order of preference when the client accepts several equally. */
  encodings: ['br', 'gzip'] as const,
  /** Smaller answers are sent as they are. */
  threshold: 1024,
  /** Brotli quality (@fastify/compress's default): close to gzip's speed, smaller output. */
  brotliQuality: 4,
};
