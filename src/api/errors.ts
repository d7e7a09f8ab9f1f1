import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStatementTimeout } from '../db/index.ts';
import { AppError, type ErrorCode, TimeoutError } from '../errors.ts';
import { JSON_BODY_LIMIT } from './body.ts';

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  /** With Ajv's `verbose`: the schema the failing keyword belongs to, and the value it saw. */
  parentSchema?: { errorMessage?: string | Record<string, string> };
  data?: unknown;
}

const LOCATIONS: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };

/** Codes of Fastify's own client errors (body too large, unknown content type, ...); any other 4xx is VALIDATION_ERROR. */
const CLIENT_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Names the parameter an Ajv issue is about, e.g. `per_page` or `body.treasury_addresses.0`. */
function describeIssue(context: string | undefined, issue: AjvIssue) {
  const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const property = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  const parameter = [path, property].filter(Boolean).join('.') || context || 'request';
  // `errorMessage` is our wording: one string for the schema, or one per keyword ({ pattern: ... }).
  const custom = issue.parentSchema?.errorMessage;
  let message = (typeof custom === 'string' ? custom : custom?.[issue.keyword ?? '']) ?? issue.message ?? 'is invalid';
  if (issue.keyword === 'additionalProperties') message = 'is not a known field';
  if (issue.keyword === 'required') message = 'is required';
  if (issue.params?.allowedValues) message = `must be one of ${issue.params.allowedValues.join(', ')}`;
  // `?page=1&page=2` reaches the schema as an array, which no query parameter takes.
  if (context === 'querystring' && issue.keyword === 'type' && Array.isArray(issue.data))
    message = 'is given more than once';
  return { in: LOCATIONS[context ?? ''] ?? context, parameter, message };
}

type Described = { message: string; details?: unknown };

/** What the client is told about Fastify's own 4xx errors, by their code; others keep Fastify's message. */
const FRAMEWORK_ERRORS: Record<string, (error: FastifyError, request: FastifyRequest) => Described> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_error, request) => {
    const type = String(request.headers['content-type'] ?? '').slice(0, 100);
    return {
      message: type ? `content-type '${type}' is not accepted here` : 'A body needs a content-type',
      details: [{ in: 'header', parameter: 'content-type', message: 'is not accepted here' }],
    };
  },
  FST_ERR_CTP_BODY_TOO_LARGE: (_error, request) => {
    const json = /^application\/json\b/i.test(String(request.headers['content-type']));
    const limit = json ? Math.min(request.routeOptions.bodyLimit, JSON_BODY_LIMIT) : request.routeOptions.bodyLimit;
    return { message: `The body is larger than the limit of ${limit} bytes`, details: { limit } };
  },
  FST_ERR_CTP_INVALID_JSON_BODY: bodyError,
  FST_ERR_CTP_EMPTY_JSON_BODY: bodyError,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: bodyError,
  FST_ERR_BAD_URL: () => ({
    message: 'The path is not valid percent-encoded UTF-8',
    details: [{ in: 'path', parameter: 'path', message: 'is not valid percent-encoded UTF-8' }],
  }),
  FST_ERR_MAX_PARAM_LENGTH: () => ({
    message: 'A path parameter is longer than 100 characters',
    details: [{ in: 'path', parameter: 'path', message: 'has a parameter longer than 100 characters' }],
  }),
};

function bodyError(error: FastifyError): Described {
  return { message: `body: ${error.message}`, details: [{ in: 'body', parameter: 'body', message: error.message }] };
}

/**
 * An error as the log keeps it: a failed query keeps its SQL and the database's message and
 * code, never its parameters (they are request data: a vote's reason, later a password).
 */
function loggable(error: Error & { query?: unknown; params?: unknown; code?: unknown; cause?: unknown }) {
  const cause = error.cause as { message?: unknown; code?: unknown } | undefined;
  const code = error.code ?? cause?.code;
  return {
    type: error.constructor?.name ?? 'Error',
    // The logger's error serializer appends the cause's message (the database's) to this one.
    message: typeof error.query === 'string' ? `Failed query: ${error.query}` : error.message,
    ...(code !== undefined ? { code } : {}),
    // The first stack line repeats the message, which for a failed query holds its parameters.
    stack: error.stack
      ?.split('\n')
      .filter((line) => line.startsWith('    at '))
      .join('\n'),
    ...(cause ? { cause: { message: cause.message, code: cause.code } } : {}),
  };
}

/**
 * Sends any error in the envelope. 4xx answers are the client's input: logged at info with the
 * code and message only; only 5xx are logged as errors, with the error (without SQL parameters).
 */
function sendError(error: FastifyError & { validationContext?: string }, request: FastifyRequest, reply: FastifyReply) {
  // The server cancelled a statement that ran past STATEMENT_TIMEOUT_MS: the server's limit, a 503.
  if (!(error instanceof AppError) && isStatementTimeout(error)) {
    request.log.warn({ err: loggable(error) }, 'statement timed out');
    error = new TimeoutError(
      'A database query took longer than this server allows (STATEMENT_TIMEOUT_MS) and was cancelled; try a narrower request or again later',
    ) as unknown as typeof error;
  }
  let status: number;
  let body: { code: ErrorCode; message: string; details?: unknown };
  if (error instanceof AppError) {
    status = error.httpStatus;
    body = {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
  } else if (error.validation) {
    const issues = (error.validation as AjvIssue[]).map((issue) => describeIssue(error.validationContext, issue));
    const first = issues[0]!;
    status = 400;
    body = { code: 'VALIDATION_ERROR', message: `${first.parameter} ${first.message}`, details: issues };
  } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    status = error.statusCode;
    const described = FRAMEWORK_ERRORS[error.code]?.(error, request) ?? { message: error.message };
    body = { code: CLIENT_ERROR_CODES[status] ?? 'VALIDATION_ERROR', ...described };
  } else {
    status = 500;
    // Never leak stacks or SQL: the log has them, the client gets a request id to quote.
    body = { code: 'INTERNAL_ERROR', message: `Internal error (request id ${request.id})` };
  }
  if (status >= 500) request.log.error({ err: loggable(error) }, error.message.split('\n')[0]);
  else request.log.info({ status, code: body.code }, body.message);
  if (!request.raw.complete) discardRest(request);
  return reply.status(status).send({ status: 'error', error: body });
}

/** How long the rest of a body answered early may keep arriving before its connection is cut. */
export const LINGER_MS = 2000;

/**
 * An answer before the whole body arrived (too large, a bad query): the client is still sending.
 * Closing the connection right after the answer raced those writes: on a busy machine the client
 * got EPIPE before it had read the answer, and saw a failed request instead of a 413. So the rest
 * of the body is read and dropped (the connection then serves the client's next request), and a
 * body still arriving LINGER_MS later is cut off with its connection, by then long after the
 * answer was read. Slow bodies are cut sooner by src/api/slow-bodies.ts.
 */
function discardRest(request: FastifyRequest) {
  const body = request.raw;
  // A body already read to its end has nothing left to drop; an injected request (app.inject)
  // has no connection to keep or cut: its socket is a mock without destroy().
  const socket = body.socket;
  if (body.destroyed || body.readableEnded || !(socket instanceof Socket)) return;
  // Checked when it fires: a body that ended meanwhile leaves its connection to the next request.
  const cut = setTimeout(() => body.complete || socket.destroy(), LINGER_MS);
  cut.unref();
  body.once('end', () => clearTimeout(cut));
  body.resume();
}

/** `fallback` may answer a request no route matched (the dashboard's SPA pages) and return true. */
export function registerErrorHandling(
  app: FastifyInstance,
  fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean,
) {
  app.setErrorHandler(sendError);

  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return reply;
    return reply.status(404).send({
      status: 'error',
      error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}

/** Fastify's `frameworkErrors`: a path the router cannot decode, or a too long path parameter. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendError(error, request, reply);
}

/** Node's HTTP parser errors that have a status of their own (its default header limit is 16 KiB). */
const PARSER_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request line and headers are larger than the server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive'],
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (headers or URL over 16
 * KiB, malformed HTTP, a timeout) never reaches a route; it is answered in the envelope too.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = PARSER_ERRORS[error.code ?? ''] ?? [400, 'The request is not valid HTTP'];
  this.log.info({ status, code: error.code }, message);
  const body = JSON.stringify({ status: 'error', error: { code: 'VALIDATION_ERROR', message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
