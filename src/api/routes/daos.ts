import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createDao, DAO_SORTS, type DaoSort, deleteDao, updateDao } from '../../db/queries/daos.ts';
import { DaoFields } from '../../import/records.ts';
import { type ApiContext, readDb } from '../context.ts';
import { daoDetail, daoPage } from '../reads/daos.ts';
import {
  ErrorResponse,
  errorResponses,
  IdParam,
  Order,
  PageQuery,
  StringEnum,
  success,
  successPage,
  TextParam,
} from '../schemas/common.ts';
import { Dao, DaoDeleted, DaoDetail } from '../schemas/daos.ts';
import { requestMeta } from '../security.ts';
import { daoToApi } from '../serialize.ts';

const SortKey = StringEnum(Object.keys(DAO_SORTS), { default: 'total_members' });
const DaoBody = Type.Object(DaoFields, { additionalProperties: false });
const DaoPatch = Type.Partial(DaoBody, { additionalProperties: false, minProperties: 1 });

function toColumns(body: Partial<typeof DaoBody.static>) {
  const lower = (s: string | undefined) => s?.toLowerCase();
  return Object.fromEntries(
    Object.entries({
      slug: body.slug,
      name: body.name,
      description: body.description,
      chain: lower(body.chain),
      tokenSymbol: body.token_symbol,
      governanceToken: body.governance_token,
      snapshotSpace: body.snapshot_space,
      governorAddress: lower(body.governor_address),
      tokenAddress: lower(body.token_address),
      treasuryAddresses: body.treasury_addresses && [...new Set(body.treasury_addresses.map((a) => a.toLowerCase()))],
      treasuryTokens: body.treasury_tokens && [...new Set(body.treasury_tokens.map((a) => a.toLowerCase()))],
    }).filter(([, v]) => v !== undefined),
  );
}

export const daoRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database, sync, accounts }) => {
  const { db } = database;

  app.get(
    '/daos',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['daos'],
        summary: 'List DAOs',
        querystring: Type.Object(
          {
            ...PageQuery(100),
            sort: SortKey,
            order: Order,
            chain: Type.Optional(TextParam({ maxLength: 50 })),
            search: Type.Optional(
              TextParam({ minLength: 1, maxLength: 200, description: 'Case-insensitive match on the name' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: successPage(Type.Array(Dao)), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        status: 'success' as const,
        ...(await daoPage(readDb(database, request), { ...q, sort: q.sort as DaoSort })),
      };
    },
  );

  app.post(
    '/daos',
    {
      config: { permission: 'write' },
      schema: {
        tags: ['daos'],
        summary: 'Add a DAO',
        body: DaoBody,
        response: { 201: success(Dao), 409: ErrorResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await createDao(db, {
        ...(toColumns(request.body) as typeof request.body & { slug: string; name: string; chain: string }),
      });
      await accounts.audit(request.identity, requestMeta(request), 'dao.create', {
        resource: `dao:${row.id}`,
        details: { slug: row.slug },
      });
      if (row.snapshotSpace || row.governorAddress) await sync.scheduleDao(row.id, request.log);
      return reply.status(201).send({ status: 'success' as const, data: daoToApi(row), message: 'DAO created' });
    },
  );

  app.get(
    '/daos/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['daos'],
        summary: 'One DAO by id or slug, with what its stored data covers',
        params: IdParam,
        response: { 200: success(DaoDetail), ...errorResponses },
      },
    },
    async (request) => {
      return { status: 'success' as const, data: await daoDetail(readDb(database, request), request.params.id) };
    },
  );

  app.put(
    '/daos/:id',
    {
      config: { permission: 'write' },
      schema: {
        tags: ['daos'],
        summary: 'Update a DAO (only the fields sent change)',
        params: IdParam,
        body: DaoPatch,
        response: { 200: success(Dao), 409: ErrorResponse, ...errorResponses },
      },
    },
    async (request) => {
      const row = await updateDao(db, request.params.id, toColumns(request.body));
      const { snapshot_space, governor_address, treasury_addresses } = request.body;
      await accounts.audit(request.identity, requestMeta(request), 'dao.update', {
        resource: `dao:${row.id}`,
        details: { slug: row.slug, fields: Object.keys(request.body) },
      });
      // A new place to sync from starts syncing now rather than at the next interval.
      if (snapshot_space || governor_address || treasury_addresses?.length) await sync.scheduleDao(row.id, request.log);
      return { status: 'success' as const, data: daoToApi(row), message: 'DAO updated' };
    },
  );

  app.delete(
    '/daos/:id',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['daos'],
        summary: 'Delete a DAO and everything stored for it',
        params: IdParam,
        response: { 200: success(DaoDeleted), ...errorResponses },
      },
    },
    async (request) => {
      const row = await deleteDao(db, request.params.id);
      await accounts.audit(request.identity, requestMeta(request), 'dao.delete', {
        resource: `dao:${row.id}`,
        details: { slug: row.slug },
      });
      return {
        status: 'success' as const,
        data: { id: row.id, slug: row.slug, deleted: true },
        message: 'DAO deleted',
      };
    },
  );
};
