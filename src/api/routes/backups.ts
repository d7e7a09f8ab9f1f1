import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { writeBackup } from '../../backup/backup.ts';
import { runMaintenance } from '../../db/maintenance.ts';
import { ValidationError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses, success } from '../schemas/common.ts';
import { requestMeta } from '../security.ts';

/** The response header carrying the backup's manifest (base64url JSON) beside the dump in the body. */
export const MANIFEST_HEADER = 'x-dao-portal-manifest';

/**
 * Backups and maintenance of the embedded database while this server holds it (one process per
 * data directory): `dao-portal backup` and `dao-portal maintenance` come here, as `import` does.
 * On PostgreSQL those commands reach the database themselves.
 */
// Neither route takes parameters: an unknown one is refused by name before any other check.
const NoQuery = Type.Object({}, { additionalProperties: false });

export const backupRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, accounts }) => {
  const embeddedOnly = () => {
    if (database.kind !== 'pglite') {
      throw new ValidationError(
        'this server uses PostgreSQL: run `dao-portal backup` or `dao-portal maintenance` with DATABASE_URL instead',
      );
    }
  };

  app.post(
    '/admin/backups',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['health'],
        querystring: NoQuery,
        summary:
          'A consistent backup of the embedded database: the body is the dump (application/gzip), the x-dao-portal-manifest header its manifest (base64url JSON)',
        response: errorResponses,
      },
    },
    async (request, reply) => {
      embeddedOnly();
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'dao-portal-backup-'));
      const cleanup = () => void fsp.rm(dir, { recursive: true, force: true });
      try {
        const { file, manifest } = await writeBackup(database, {
          dir,
          onProgress: (message) => request.log.debug(message),
        });
        await accounts.audit(request.identity, requestMeta(request), 'backup', {
          resource: manifest.file.name,
          outcome: 'success',
          details: { bytes: manifest.file.bytes, seconds: manifest.seconds },
        });
        reply.raw.once('close', cleanup);
        // A stream, not a JSON body: the response schema (errors only) does not apply to it.
        return (reply as unknown as FastifyReply)
          .header('content-type', 'application/gzip')
          .header('content-length', manifest.file.bytes)
          .header('content-disposition', `attachment; filename="${manifest.file.name}"`)
          .header(MANIFEST_HEADER, Buffer.from(JSON.stringify(manifest)).toString('base64url'))
          .send(fs.createReadStream(file));
      } catch (error) {
        cleanup();
        throw error;
      }
    },
  );

  app.post(
    '/admin/maintenance',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['health'],
        querystring: NoQuery,
        summary: 'Routine maintenance: pending rollup changes, old change rows and sessions, vacuum, analyze, reindex',
        response: {
          200: success(
            Type.Object({
              steps: Type.Array(
                Type.Object({ step: Type.String(), ms: Type.Integer(), detail: Type.Optional(Type.String()) }),
              ),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      embeddedOnly();
      const steps = await runMaintenance(database);
      await accounts.audit(request.identity, requestMeta(request), 'maintenance', { outcome: 'success' });
      return { status: 'success' as const, data: { steps } };
    },
  );
};
