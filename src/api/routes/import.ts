import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { PayloadTooLargeError } from '../../errors.ts';
import { Importer } from '../../import/importer.ts';
import { readRecords } from '../../import/reader.ts';
import type { ApiContext } from '../context.ts';
import { success, TextParam } from '../schemas/common.ts';
import { ImportResult } from '../schemas/import.ts';
import { requestMeta } from '../security.ts';

/** The content types of an import: NDJSON, or a JSON array (the reader tells them apart). */
const IMPORT_TYPES = ['application/x-ndjson', 'application/json'];

const tooLarge = (limit: number) =>
  new PayloadTooLargeError(
    `The body is larger than the limit of ${limit} bytes (BODY_LIMIT); records read before it may be stored (importing them again changes nothing)`,
    { limit },
  );

/** The body's bytes, failing as soon as more than `limit` have arrived (nothing else counts a streamed body). */
async function* limited(body: Readable, limit: number): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) throw tooLarge(limit);
    yield chunk;
  }
}

/**
 * The same import as `dao-portal import`, over HTTP: the body is streamed (NDJSON or a JSON
 * array) and never held in memory. The CLI uses it when the server holds the embedded database.
 */
export const importRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, sync, accounts }) => {
  // Scoped to this plugin: the body reaches the handler as a raw stream, and only in the two
  // import types; anything else is a 415 (a cross-site form posts text/plain without asking).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(IMPORT_TYPES, (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit;
    if (Number(request.headers['content-length']) > limit) return done(tooLarge(limit), undefined);
    done(null, limited(payload as Readable, limit));
  });

  app.post(
    '/import',
    {
      config: { permission: 'write', requestTimeout: false },
      schema: {
        tags: ['import'],
        summary: 'Import canonical records (NDJSON or a JSON array; see the README for the format)',
        querystring: Type.Object(
          { source: Type.Optional(TextParam({ maxLength: 200, description: 'Name used in rejection reports' })) },
          { additionalProperties: false },
        ),
        response: { 200: success(ImportResult) },
      },
    },
    async (request) => {
      const importer = new Importer(database, { ...(request.query.source ? { source: request.query.source } : {}) });
      const summary = await importer.run(readRecords(request.body as AsyncIterable<Buffer>));
      request.log.info({ import: { ...summary, byType: undefined } }, 'import finished');
      await accounts.audit(request.identity, requestMeta(request), 'import', {
        resource: request.query.source ? `import:${request.query.source}` : null,
        outcome: summary.rejected ? 'failure' : 'success',
        details: {
          records: summary.records,
          inserted: summary.inserted,
          updated: summary.updated,
          unchanged: summary.unchanged,
          rejected: summary.rejected,
        },
      });
      // Imported DAOs with a Snapshot space or Governor address start syncing now, like added ones.
      if (summary.byType.dao) await sync.scheduleNewDaos(request.log);
      return {
        status: 'success' as const,
        data: {
          records: summary.records,
          inserted: summary.inserted,
          updated: summary.updated,
          unchanged: summary.unchanged,
          rejected: summary.rejected,
          seconds: summary.seconds,
          by_type: summary.byType,
          rejections: importer.rejections,
        },
        message: summary.rejected ? `${summary.rejected} records rejected` : 'import complete',
      };
    },
  );
};
