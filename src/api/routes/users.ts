import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.ts';
import { NewUserBody, User, UserChangeBody, UserPasswordBody } from '../schemas/accounts.ts';
import { errorResponses, success } from '../schemas/common.ts';
import { requestMeta } from '../security.ts';
import { userToApi } from '../serialize.ts';

const UserId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) }, { additionalProperties: false });

/** User administration (admins): list, create, change role or name, disable, set a password. */
export const userRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { accounts }) => {
  app.get(
    '/users',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'Every user',
        response: { 200: success(Type.Array(User)), ...errorResponses },
      },
    },
    async () => ({ status: 'success' as const, data: (await accounts.listUsers()).map(userToApi) }),
  );

  app.post(
    '/users',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'Create a user with a role and an initial password',
        body: NewUserBody,
        response: { 201: success(User), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const { email, display_name, role, password } = request.body;
      const user = await accounts.createUser(
        { email, displayName: display_name, role, password },
        request.identity,
        requestMeta(request),
      );
      return reply.status(201).send({ status: 'success' as const, data: userToApi(user), message: 'user created' });
    },
  );

  app.put(
    '/users/:id',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['auth'],
        summary: "Change a user's role, display name or disabled flag (disabling ends their sessions)",
        params: UserId,
        body: UserChangeBody,
        response: { 200: success(User), ...errorResponses },
      },
    },
    async (request) => {
      const { role, display_name, disabled } = request.body;
      const user = await accounts.updateUser(
        request.params.id,
        {
          ...(role ? { role } : {}),
          ...(display_name !== undefined ? { displayName: display_name } : {}),
          ...(disabled !== undefined ? { disabled } : {}),
        },
        request.identity,
        requestMeta(request),
      );
      return { status: 'success' as const, data: userToApi(user) };
    },
  );

  app.post(
    '/users/:id/password',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['auth'],
        summary: "Set a user's password (ends their sessions)",
        params: UserId,
        body: UserPasswordBody,
        response: { 200: success(Type.Null()), ...errorResponses },
      },
    },
    async (request) => {
      await accounts.setPassword(request.params.id, request.body.password, request.identity, requestMeta(request));
      return { status: 'success' as const, data: null, message: 'password set' };
    },
  );
};
