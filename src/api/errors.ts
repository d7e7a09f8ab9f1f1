import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.ts';

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

/** `fallback` may answer a request no route matched (the dashboard's SPA pages) and return true. */
export function registerErrorHandling(
  app: FastifyInstance,
  fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean,
) {
  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    if (error instanceof AppError) {
      if (error.httpStatus >= 500) request.log.error({ err: error }, error.message);
      return reply.status(error.httpStatus).send({
        status: 'error',
        error: {
          code: error.code,
          message: error.message,
          ...(error.details !== undefined ? { details: error.details } : {}),
        },
      });
    }
    if (error.validation) {
      const issues = (error.validation as AjvIssue[]).map((issue) => describeIssue(error.validationContext, issue));
      const first = issues[0]!;
      return reply.status(400).send({
        status: 'error',
        error: { code: 'VALIDATION_ERROR', message: `${first.parameter} ${first.message}`, details: issues },
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code: ErrorCode = CLIENT_ERROR_CODES[status] ?? 'VALIDATION_ERROR';
      return reply.status(status).send({ status: 'error', error: { code, message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    // Never leak stacks or SQL: the log has them, the client gets a request id to quote.
    return reply.status(500).send({
      status: 'error',
      error: { code: 'INTERNAL_ERROR', message: `Internal error (request id ${request.id})` },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return reply;
    return reply.status(404).send({
      status: 'error',
      error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}
