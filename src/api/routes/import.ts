import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Importer } from '../../import/importer.ts';
import { readRecords } from '../../import/reader.ts';
import type { ApiContext } from '../context.ts';
import { success, TextParam } from '../schemas/common.ts';
import { ImportResult } from '../schemas/import.ts';

/**
 * The same import as `dao-portal import`, over HTTP: the body is streamed (NDJSON or a JSON
 * array) and never held in memory. The CLI uses it when the server holds the embedded database.
 */
export const importRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, sync }) => {
  // Scoped to this plugin: the body reaches the handler as a raw stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.post(
    '/import',
    {
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
      const summary = await importer.run(readRecords(request.body as Readable));
      request.log.info({ import: { ...summary, byType: undefined } }, 'import finished');
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
