import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Identity } from '../../auth/accounts.ts';
import { UnauthenticatedError, ValidationError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import {
  Csrf,
  LoggedOutEverywhere,
  Me,
  PasswordChangeBody,
  RecoveryCodes,
  SignIn,
  SignInBody,
  TotpConfirmBody,
  TotpDisableBody,
  TotpEnrolment,
} from '../schemas/accounts.ts';
import { errorResponses, success } from '../schemas/common.ts';
import { requestMeta } from '../security.ts';
import { userToApi } from '../serialize.ts';

/** Attempts at what guesses a secret (sign-in, passwords, codes) or makes one (keys): SIGN_IN_RATE_PER_MINUTE per caller. */
export const signInRate = (perMinute: number) => ({ max: perMinute, timeWindow: 60_000 });

/** Sessions and the signed-in user's own account: sign in and out, password, two-factor codes. */
export const authRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { accounts }) => {
  const SIGN_IN_RATE = signInRate(accounts.config.signInRatePerMinute);
  const signedIn = (identity: Identity) => {
    if (identity.kind === 'anonymous') throw new UnauthenticatedError();
    return identity;
  };

  app.post(
    '/auth/login',
    {
      config: { permission: 'public', rateLimit: SIGN_IN_RATE },
      schema: {
        tags: ['auth'],
        summary: 'Sign in: sets the httpOnly session cookie and returns the CSRF token for writes',
        body: SignInBody,
        response: { 200: success(SignIn), ...errorResponses },
      },
    },
    async (request, reply) => {
      const signed = await accounts.login(request.body, requestMeta(request));
      reply.setSession(signed.token, signed.expiresAt);
      return {
        status: 'success' as const,
        data: { user: userToApi(signed.user), csrf_token: signed.csrf, expires_at: signed.expiresAt.toISOString() },
        message: 'signed in',
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out of this session',
        response: { 200: success(Type.Null()), ...errorResponses },
      },
    },
    async (request, reply) => {
      await accounts.logout(request.identity, requestMeta(request));
      reply.clearSession();
      return { status: 'success' as const, data: null, message: 'signed out' };
    },
  );

  app.post(
    '/auth/logout-all',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out of every session of this user (API keys are revoked separately)',
        response: { 200: success(LoggedOutEverywhere), ...errorResponses },
      },
    },
    async (request, reply) => {
      const revoked = await accounts.logoutAll(request.identity, requestMeta(request));
      reply.clearSession();
      return { status: 'success' as const, data: { revoked_sessions: revoked } };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: 'Who this request acts as',
        response: { 200: success(Me), ...errorResponses },
      },
    },
    async (request) => {
      const identity = signedIn(request.identity);
      return {
        status: 'success' as const,
        data: {
          user: userToApi(identity.user),
          via: identity.kind,
          csrf_token: identity.kind === 'session' ? accounts.csrf(identity.sessionId) : null,
          session_expires_at: identity.kind === 'session' ? identity.expiresAt.toISOString() : null,
          key:
            identity.kind === 'key'
              ? { id: identity.key.id, prefix: identity.key.prefix, scopes: identity.key.scopes }
              : null,
        },
      };
    },
  );

  app.get(
    '/auth/csrf',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: "This session's CSRF token: send it as x-csrf-token on writes made with the session cookie",
        response: { 200: success(Csrf), ...errorResponses },
      },
    },
    async (request) => {
      const identity = signedIn(request.identity);
      if (identity.kind !== 'session')
        throw new ValidationError('API keys need no CSRF token: only session cookies do');
      return { status: 'success' as const, data: { csrf_token: accounts.csrf(identity.sessionId) } };
    },
  );

  app.post(
    '/auth/password',
    {
      config: { permission: 'account', rateLimit: SIGN_IN_RATE },
      schema: {
        tags: ['auth'],
        summary: 'Change your password (ends every session, this one included: sign in again)',
        body: PasswordChangeBody,
        response: { 200: success(Type.Null()), ...errorResponses },
      },
    },
    async (request, reply) => {
      await accounts.changeOwnPassword(
        request.identity,
        request.body.current_password,
        request.body.new_password,
        requestMeta(request),
      );
      reply.clearSession();
      return { status: 'success' as const, data: null, message: 'password changed; sign in again' };
    },
  );

  app.post(
    '/auth/totp/start',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['auth'],
        summary: 'Start two-factor enrolment: a secret and its QR code for an authenticator app',
        response: { 200: success(TotpEnrolment), ...errorResponses },
      },
    },
    async (request) => ({ status: 'success' as const, data: await accounts.startTotp(request.identity) }),
  );

  app.post(
    '/auth/totp/confirm',
    {
      config: { permission: 'account', rateLimit: SIGN_IN_RATE },
      schema: {
        tags: ['auth'],
        summary: 'Finish enrolment with a current code: two-factor sign-in is on; returns ten recovery codes',
        body: TotpConfirmBody,
        response: { 200: success(RecoveryCodes), ...errorResponses },
      },
    },
    async (request) => ({
      status: 'success' as const,
      data: { recovery_codes: await accounts.confirmTotp(request.identity, request.body.code, requestMeta(request)) },
    }),
  );

  app.post(
    '/auth/totp/disable',
    {
      config: { permission: 'account', rateLimit: SIGN_IN_RATE },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor sign-in off (needs the password)',
        body: TotpDisableBody,
        response: { 200: success(Type.Null()), ...errorResponses },
      },
    },
    async (request) => {
      await accounts.disableTotp(request.identity, request.body.password, requestMeta(request));
      return { status: 'success' as const, data: null, message: 'two-factor sign-in is off' };
    },
  );
};
