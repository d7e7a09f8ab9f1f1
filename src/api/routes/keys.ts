import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.ts';
import { timeRange } from '../params.ts';
import { ApiKey, KeyRateLimitBody, NewApiKey, NewApiKeyBody } from '../schemas/accounts.ts';
import { errorResponses, success } from '../schemas/common.ts';
import { requestMeta } from '../security.ts';
import { apiKeyToApi } from '../serialize.ts';
import { signInRate } from './auth.ts';

const KeyId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) }, { additionalProperties: false });

/**
 * Self-serve API keys: created by any signed-in user for themselves (the secret is shown once),
 * listed and revoked by their owner; admins see and revoke every key and set per-key limits.
 */
export const keyRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { accounts }) => {
  const SIGN_IN_RATE = signInRate(accounts.config.signInRatePerMinute);
  app.post(
    '/keys',
    {
      config: { permission: 'account', rateLimit: SIGN_IN_RATE },
      schema: {
        tags: ['auth'],
        summary: 'Create an API key for yourself; its secret is in this answer only',
        body: NewApiKeyBody,
        response: { 201: success(NewApiKey), ...errorResponses },
      },
    },
    async (request, reply) => {
      const expiresAt = timeRange({ to: request.body.expires_at }).to;
      const { secret, key } = await accounts.createKey(
        request.identity,
        { name: request.body.name, scopes: request.body.scopes, expiresAt },
        requestMeta(request),
      );
      return reply.status(201).send({
        status: 'success' as const,
        data: { key: apiKeyToApi(key), secret },
        message: 'key created: copy the secret now',
      });
    },
  );

  app.get(
    '/keys',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: 'Your API keys (every key, for admins), newest first',
        response: { 200: success(Type.Array(ApiKey)), ...errorResponses },
      },
    },
    async (request) => ({
      status: 'success' as const,
      data: (await accounts.listKeys(request.identity)).map(apiKeyToApi),
    }),
  );

  app.delete(
    '/keys/:id',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API key at once (yours; any, for admins)',
        params: KeyId,
        response: { 200: success(ApiKey), ...errorResponses },
      },
    },
    async (request) => ({
      status: 'success' as const,
      data: apiKeyToApi(await accounts.revokeKey(request.identity, request.params.id, requestMeta(request))),
      message: 'key revoked',
    }),
  );

  app.put(
    '/keys/:id/rate-limit',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['auth'],
        summary: "Set a key's own request limit per minute (null: the default RATE_LIMIT_PER_MINUTE)",
        params: KeyId,
        body: KeyRateLimitBody,
        response: { 200: success(ApiKey), ...errorResponses },
      },
    },
    async (request) => ({
      status: 'success' as const,
      data: apiKeyToApi(
        await accounts.setKeyRateLimit(
          request.identity,
          request.params.id,
          request.body.per_minute,
          requestMeta(request),
        ),
      ),
    }),
  );
};
