/**
 * The one error hierarchy. Every failure that reaches a user (HTTP response, CLI exit) is an
 * AppError; anything else is a bug and is reported as INTERNAL_ERROR without internals.
 */

/**
 * Every code an error can carry: the API's error schema lists them (src/api/schemas/common.ts, so
 * this module imports nothing), and test/error-codes.test.ts holds the list to what is emitted.
 */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONFIG_ERROR',
  'DATABASE_BUSY',
  'DATABASE_UNAVAILABLE',
  'UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_ERROR', message, 400, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super('NOT_FOUND', `${what} '${id}' not found`, 404);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('CONFLICT', message, 409, details);
  }
}

/** A request body over the server's limit (BODY_LIMIT), found while it streams in. */
export class PayloadTooLargeError extends AppError {
  constructor(message: string, details?: unknown) {
    super('PAYLOAD_TOO_LARGE', message, 413, details);
  }
}

export class ConfigError extends AppError {
  constructor(message: string) {
    super('CONFIG_ERROR', message, 500);
  }
}

/** The embedded database directory is held by another process (PGlite admits one). */
export class DatabaseBusyError extends AppError {
  constructor(
    message: string,
    readonly holder?: { pid: number; url?: string },
  ) {
    super('DATABASE_BUSY', message, 503);
  }
}

/** A service this process depends on (the running server, a remote API) did not answer or refused. */
export class UnavailableError extends AppError {
  constructor(message: string) {
    super('UNAVAILABLE', message, 503);
  }
}

/** The request needs a signed-in user or an API key, and has none that is valid. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in or send an API key (Authorization: Bearer dp_…) to do this') {
    super('UNAUTHENTICATED', message, 401);
  }
}

/** The caller is known but its role, scopes or CSRF token do not allow this. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message, 403);
  }
}

/** Too many requests from this caller in the current window. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message, 429, { retry_after_seconds: retryAfterSeconds });
  }
}

/**
 * An outbound URL a user set (a webhook) that this server will not call: not http(s), or its host
 * is, or resolves to, an address the SSRF rules refuse (src/net/outbound.ts). A 400 naming `field`.
 */
export class OutboundRefusedError extends ValidationError {
  constructor(
    readonly reason: string,
    readonly field = 'target',
  ) {
    super(`${field}: ${reason}`, [{ in: 'body', parameter: field, message: reason }]);
  }
}

/**
 * A request or a database statement took longer than this server allows (REQUEST_TIMEOUT_MS,
 * STATEMENT_TIMEOUT_MS): a 503, the server's limit rather than the client's mistake; a retry
 * later, or a narrower request, may pass.
 */
export class TimeoutError extends AppError {
  constructor(message: string, details?: unknown) {
    super('TIMEOUT', message, 503, details);
  }
}

/**
 * Why an AI provider gave no usable answer. The router reads `kind` to decide whether to retry
 * (rate-limited, server, timeout, network), wait (`retryAfterMs`) or fall back to the next step.
 */
export const PROVIDER_FAILURES = [
  'misconfigured',
  'unauthorized',
  'rate-limited',
  'server',
  'timeout',
  'network',
  'bad-request',
  'invalid-output',
  'over-budget',
  'circuit-open',
] as const;
export type ProviderFailure = (typeof PROVIDER_FAILURES)[number];

export class ProviderError extends UnavailableError {
  /** Tokens a call used although its answer was refused (an off-schema answer is still billed). */
  usage?: { inputTokens: number; outputTokens: number };

  constructor(
    readonly provider: string,
    readonly kind: ProviderFailure,
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(`${provider}: ${kind}: ${message}`);
  }

  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'server' || this.kind === 'timeout' || this.kind === 'network';
  }
}
