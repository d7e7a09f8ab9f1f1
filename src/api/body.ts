import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.ts';

/**
 * Largest JSON body of a route that takes one (a DAO, a sync request). The largest real one, a
 * DAO with its 20,000-character description and 2 × 1,000 addresses, is under 500 KB; BODY_LIMIT
 * (256 MiB) is for the streamed imports, and a JSON body that size is parsed whole, in memory.
 */
export const JSON_BODY_LIMIT = 1 << 20;

/**
 * Deepest nesting a JSON body may have: ours nest three levels. Parsing a body of 50 million `[`
 * took 21 s of the event loop; scanning for depth first is linear and cheap.
 */
export const MAX_JSON_DEPTH = 32;

function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

function isJson(text: string) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON bodies: Fastify's own parser (which refuses `__proto__` and `constructor.prototype`),
 * behind a size and a depth limit. `text/plain` is not parsed at all: a browser sends it
 * cross-site without asking, and no route takes plain text, so it is a 415.
 */
export function registerJsonBodies(app: FastifyInstance, bodyLimit: number) {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: Math.min(bodyLimit, JSON_BODY_LIMIT) },
    (request, body: string, done) => {
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        return done(
          new ValidationError(`body nests deeper than ${MAX_JSON_DEPTH} levels`, [
            { in: 'body', parameter: 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` },
          ]),
          undefined,
        );
      }
      parse(request, body, (error, value) => {
        // Fastify reports a body it refuses for `__proto__` as invalid JSON; say what it is.
        if (error && isJson(body)) {
          return done(
            new ValidationError('body must not hold __proto__ or constructor.prototype keys', [
              { in: 'body', parameter: 'body', message: 'holds __proto__ or constructor.prototype keys' },
            ]),
            undefined,
          );
        }
        done(error, value);
      });
    },
  );
}
