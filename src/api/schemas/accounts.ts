import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum, TextParam, Timestamp } from './common.ts';

/** Accounts, sessions, API keys and the audit log (src/api/routes/auth.ts, keys.ts, users.ts, audit.ts). */
export const ROLE_NAMES = ['admin', 'editor', 'viewer'] as const;
export const Role = StringEnum(ROLE_NAMES);
export const KEY_SCOPES = ['read', 'write'] as const;
export const Scope = StringEnum(KEY_SCOPES);

export const Email = Type.String({
  minLength: 3,
  maxLength: 320,
  // No white space or control characters on either side of the one @.
  pattern: '^[^\\s@\\u0000-\\u001F\\u007F]+@[^\\s@\\u0000-\\u001F\\u007F]+$',
  description: 'An email address',
});
export const Password = TextParam({ minLength: 1, maxLength: 1024 });

export const User = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  display_name: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  two_factor: Type.Boolean({ description: 'Whether sign-in needs a TOTP code' }),
  created_at: Timestamp,
  last_login_at: Nullable(Timestamp),
});

export const Me = Type.Object({
  user: User,
  via: StringEnum(['session', 'key'], { description: 'How this request was authenticated' }),
  /** The CSRF token of this session (send it as x-csrf-token on writes); null for API keys. */
  csrf_token: Nullable(Type.String()),
  session_expires_at: Nullable(Timestamp),
  key: Nullable(Type.Object({ id: Type.Integer(), prefix: Type.String(), scopes: Type.Array(Scope) })),
});

export const SignIn = Type.Object({
  user: User,
  csrf_token: Type.String({
    description: 'Send as the x-csrf-token header on every write made with the session cookie',
  }),
  expires_at: Timestamp,
});

export const Csrf = Type.Object({ csrf_token: Type.String() });

export const LoggedOutEverywhere = Type.Object({ revoked_sessions: Type.Integer() });

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for typing into an authenticator by hand' }),
  uri: Type.String({ description: 'otpauth:// URI' }),
  qr_svg: Type.String({ description: 'SVG of a QR code of the URI' }),
});

export const RecoveryCodes = Type.Object({
  recovery_codes: Type.Array(Type.String(), {
    description: 'Ten one-time codes, shown once: each signs in once in place of a TOTP code',
  }),
});

export const ApiKey = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the secret' }),
  scopes: Type.Array(Scope),
  owner: Type.Object({ id: Type.Integer(), email: Type.String() }),
  rate_limit_per_minute: Nullable(Type.Integer()),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
});

export const NewApiKey = Type.Object({
  key: ApiKey,
  secret: Type.String({ description: 'The key itself (dp_…): shown this once, never again' }),
});

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor: Type.String(),
  actor_user_id: Nullable(Type.Integer()),
  actor_key_id: Nullable(Type.Integer()),
  action: Type.String(),
  resource: Nullable(Type.String()),
  outcome: StringEnum(['success', 'failure']),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});

/*
 * Request bodies of the account routes. Unknown fields are refused (never silently dropped); the
 * dashboard types its requests from these, so they are named here rather than inline in the routes.
 */
const strict = { additionalProperties: false } as const;

export const SignInBody = Type.Object(
  { email: Email, password: Password, totp: Type.Optional(TextParam({ maxLength: 20 })) },
  strict,
);
export const PasswordChangeBody = Type.Object({ current_password: Password, new_password: Password }, strict);
export const TotpConfirmBody = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) },
  strict,
);
export const TotpDisableBody = Type.Object({ password: Password }, strict);

export const NewApiKeyBody = Type.Object(
  {
    name: TextParam({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 2, uniqueItems: true }),
    expires_at: Type.Optional(
      Type.String({ maxLength: 40, description: 'ISO-8601 time or unix seconds; default never' }),
    ),
  },
  strict,
);
export const KeyRateLimitBody = Type.Object(
  { per_minute: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()]) },
  strict,
);

export const NewUserBody = Type.Object(
  { email: Email, display_name: Type.Optional(TextParam({ maxLength: 200 })), role: Role, password: Password },
  strict,
);
export const UserChangeBody = Type.Object(
  {
    role: Type.Optional(Role),
    display_name: Type.Optional(TextParam({ maxLength: 200 })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);
export const UserPasswordBody = Type.Object({ password: Password }, strict);
