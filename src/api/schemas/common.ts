import {
  type SchemaOptions,
  type Static,
  type StringOptions,
  type TLiteral,
  type TSchema,
  Type,
} from '@sinclair/typebox';
import { ERROR_CODES } from '../../errors.ts';

/**
 * Schema building blocks shared by every route: they validate, serialise, and are the OpenAPI
 * document. Schema modules import only TypeBox, each other and plain constants, so the dashboard
 * can import their types (src/api/contract.ts) without any server code.
 */

/** One of the given strings: a union of literals (`anyOf` of `const` in the JSON schema). */
export const StringEnum = <const T extends readonly string[]>(values: T, options?: SchemaOptions) =>
  Type.Union(values.map((value) => Type.Literal(value)) as TLiteral<T[number]>[], options);

/** The schema, or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const DecimalString = Type.String({ description: 'Exact decimal number as a string', examples: ['1234.5678'] });
export const Timestamp = Type.String({ format: 'date-time' });

export const Pagination = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  total: Type.Integer(),
  pages: Type.Integer(),
  next_cursor: Type.Optional(
    Nullable(Type.String({ description: 'Pass as `cursor` for the next page (keyset pagination)' })),
  ),
});

export const success = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('success'), data, message: Type.Optional(Type.String()) });

export const successPage = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('success'), data, message: Type.Optional(Type.String()), pagination: Pagination });

export const ErrorBody = Type.Object(
  {
    status: Type.Literal('error'),
    error: Type.Object({
      code: StringEnum(ERROR_CODES, { examples: ['VALIDATION_ERROR'] }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse' },
);

/** A reference to the shared error schema (registered once by the server), typed as the error body. */
export const ErrorResponse = Type.Unsafe<Static<typeof ErrorBody>>(Type.Ref('ErrorResponse'));

export const errorResponses = {
  400: ErrorResponse,
  404: ErrorResponse,
  500: ErrorResponse,
};

/**
 * Text that a path or query parameter may carry: no control character (C0, DEL, C1) and no
 * unpaired UTF-16 surrogate. PostgreSQL refuses NUL in text (a 500 before this), an unpaired
 * surrogate has no UTF-8 form (the driver would send U+FFFD instead), and the other controls
 * have no place in an id, a filter or a search. The pattern means the same with the `u` flag
 * (Ajv) and without it: a surrogate only matches as half of a pair.
 */
export const PLAIN_TEXT = '^(?:[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';

/** A string parameter (path or query): plain text, within the given bounds (give every one a maxLength). */
export const TextParam = (options: StringOptions & { maxLength: number }) =>
  Type.String({
    ...options,
    pattern: PLAIN_TEXT,
    errorMessage: { pattern: 'must not contain control characters or unpaired surrogates' },
  });

export const IdParam = Type.Object({
  id: TextParam({
    minLength: 1,
    maxLength: 200,
    description: 'Numeric id, or the slug (DAOs) / source id (proposals)',
  }),
});

/**
 * Deepest page an offset-paged list serves: OFFSET stays below 10^8 rows (1000 per page), far
 * inside PostgreSQL's bigint and JavaScript's safe integers; `page=99999999999999999999` was a
 * 500. Deeper rows: the votes' `cursor`, or `format=csv|ndjson` for everything.
 */
export const MAX_PAGE = 100_000;

export const PageQuery = (maxPerPage = 100) => ({
  page: Type.Integer({
    minimum: 1,
    maximum: MAX_PAGE,
    default: 1,
    description: `Page number (at most ${MAX_PAGE}; deeper: a cursor or an export)`,
  }),
  per_page: Type.Integer({
    minimum: 1,
    maximum: maxPerPage,
    default: 20,
    description: `Items per page (at most ${maxPerPage})`,
  }),
});

export const Order = StringEnum(['asc', 'desc'], { default: 'desc' });

export const FORMATS = ['json', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** `?format=` of list and series endpoints (src/api/export.ts streams the csv and ndjson forms). */
export const FormatQuery = {
  format: Type.Optional(
    StringEnum(FORMATS, {
      description: 'json (default, one page); csv or ndjson stream every row, ignoring page/per_page',
    }),
  ),
};
