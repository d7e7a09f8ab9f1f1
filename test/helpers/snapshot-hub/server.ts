import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { HubData } from './data.ts';
import { createHubSchema, depthLimitRule } from './schema.ts';

/**
 * A local stand-in for the Snapshot hub (express 4 + express-graphql 0.12 + graphql-depth-limit +
 * graphql-query-count-limit + express-rate-limit, per shared/data/snapshot-hub/README.md) on
 * node:http and graphql-js: the same statuses, headers, bodies and limits, a fixed-window limiter
 * answering 429 with Retry-After, the optional API-key check, and injectable faults.
 */
export interface HubOptions {
  /** Requests per window per client before 429 (the hub: 100 per 60 s). `false` disables it (fail-open, as in the recordings). */
  rateLimit?: { max: number; windowMs: number } | false;
  /** When set, the keycard check is on: these keys are valid (monthly quota per key); anything else sent is a 401. */
  apiKeys?: Record<string, { monthlyLimit: number }>;
  faults?: Faults;
}

export interface Faults {
  /** Share of requests answered with a 502/503 from "the CDN" (0..1). */
  serverErrorRate?: number;
  /** Chance that a request starts a burst of 429s, and how many requests the burst lasts. */
  burst429Rate?: number;
  burst429Length?: number;
  /** Share of requests whose connection is dropped without an answer. */
  dropRate?: number;
  /** Seed of the fault dice, so a failing run can be replayed. */
  seed?: number;
}

export interface HubStats {
  requests: number;
  byStatus: Record<number, number>;
  /** Graphql requests by the top-level field they asked for, e.g. { votes: 40, proposals: 2 }. */
  byField: Record<string, number>;
  dropped: number;
  injected429: number;
  injected5xx: number;
  /** Requests the limiter refused (not injected ones). */
  limited: number;
}

const RATE_LIMITED_BODY =
  '{"error":"unauthorized","error_description":"too many requests, refer to https://docs.snapshot.box/tools/api/api-keys#limits"}';
const INVALID_KEY_BODY = '{"error":"unauthorized","error_description":"invalid api key"}';
const BAD_REQUEST_HTML =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Bad Request</pre>\n</body>\n</html>\n';
const MAX_OPERATIONS = 5;
const MAX_ROOT_FIELDS = 5;

/** express's weak ETag: W/"<length hex>-<sha1 base64, 27 chars>". */
export function weakEtag(body: string): string {
  const buffer = Buffer.from(body);
  return `W/"${buffer.length.toString(16)}-${createHash('sha1').update(buffer).digest('base64').slice(0, 27)}"`;
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SnapshotHubStandIn {
  readonly server: http.Server;
  url = '';
  readonly stats: HubStats = {
    requests: 0,
    byStatus: {},
    byField: {},
    dropped: 0,
    injected429: 0,
    injected5xx: 0,
    limited: 0,
  };
  private readonly windows = new Map<string, { hits: number; resetAt: number }>();
  private readonly keyUse = new Map<string, number>();
  private burstLeft = 0;
  private dice: () => number;
  private readonly graphql: ReturnType<typeof createHubSchema>;

  constructor(
    readonly data: HubData,
    readonly options: HubOptions = {},
  ) {
    this.graphql = createHubSchema(data);
    this.dice = mulberry32(options.faults?.seed ?? 1);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  setFaults(faults: Faults | undefined): void {
    (this.options as HubOptions).faults = faults;
    this.dice = mulberry32(faults?.seed ?? 1);
    this.burstLeft = 0;
  }

  resetStats(): void {
    Object.assign(this.stats, {
      requests: 0,
      byStatus: {},
      byField: {},
      dropped: 0,
      injected429: 0,
      injected5xx: 0,
      limited: 0,
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: string,
    headers: Array<[string, string]> = [],
    contentType = 'application/json; charset=utf-8',
  ) {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    res.statusCode = status;
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    if (contentType.startsWith('application/json')) res.setHeader('ETag', weakEtag(body));
    res.end(body);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    this.stats.requests++;

    const faults = this.options.faults;
    if (faults) {
      if ((faults.dropRate ?? 0) > 0 && this.dice() < faults.dropRate!) {
        this.stats.dropped++;
        req.socket.destroy();
        return;
      }
      if (this.burstLeft === 0 && (faults.burst429Rate ?? 0) > 0 && this.dice() < faults.burst429Rate!)
        this.burstLeft = faults.burst429Length ?? 3;
      if (this.burstLeft > 0) {
        this.burstLeft--;
        this.stats.injected429++;
        return this.send(res, 429, RATE_LIMITED_BODY, [
          ['Access-Control-Allow-Origin', '*'],
          ['Retry-After', '1'],
        ]);
      }
      if ((faults.serverErrorRate ?? 0) > 0 && this.dice() < faults.serverErrorRate!) {
        this.stats.injected5xx++;
        const status = this.dice() < 0.5 ? 502 : 503;
        return this.send(
          res,
          status,
          `<html><body><h1>${status} ${http.STATUS_CODES[status]}</h1></body></html>`,
          [],
          'text/html',
        );
      }
    }

    // express.json() runs before cors(): a body that is not JSON gets express's HTML error page without CORS headers.
    let body: Record<string, unknown> = {};
    if (req.method === 'POST' && raw.length > 0 && /json/.test(req.headers['content-type'] ?? '')) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return this.send(
          res,
          400,
          BAD_REQUEST_HTML,
          [
            ['Content-Security-Policy', "default-src 'none'"],
            ['X-Content-Type-Options', 'nosniff'],
          ],
          'text/html; charset=utf-8',
        );
      }
    }
    const headers: Array<[string, string]> = [['Access-Control-Allow-Origin', '*']];
    if (req.method === 'OPTIONS') {
      this.stats.byStatus[204] = (this.stats.byStatus[204] ?? 0) + 1;
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
        Vary: 'Access-Control-Request-Headers',
        ...(req.headers['access-control-request-headers']
          ? { 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] }
          : {}),
        'Access-Control-Max-Age': '86400',
        'Content-Length': '0',
      });
      return res.end();
    }

    // checkKeycard, then the limiter.
    const url = new URL(req.url ?? '/', 'http://hub');
    const key = (req.headers['x-api-key'] as string | undefined) ?? url.searchParams.get('apiKey') ?? undefined;
    let skipLimit = false;
    if (this.options.apiKeys && key !== undefined) {
      const entry = this.options.apiKeys[key];
      if (!entry) return this.send(res, 401, INVALID_KEY_BODY, headers);
      const used = (this.keyUse.get(key) ?? 0) + 1;
      this.keyUse.set(key, used);
      headers.push(
        ['X-Api-Key-Limit', String(entry.monthlyLimit)],
        ['X-Api-Key-Remaining', String(Math.max(entry.monthlyLimit - used, 0))],
        ['X-Api-Key-Reset', '0'],
      );
      skipLimit = used <= entry.monthlyLimit;
    }
    const limit = this.options.rateLimit;
    if (limit && !skipLimit) {
      const client = createHash('sha256').update(clientIp(req)).digest('hex').slice(0, 7);
      const now = Date.now();
      let window = this.windows.get(client);
      if (!window || window.resetAt <= now)
        this.windows.set(client, (window = { hits: 0, resetAt: now + limit.windowMs }));
      window.hits++;
      headers.push(
        ['RateLimit-Limit', String(limit.max)],
        ['RateLimit-Remaining', String(Math.max(limit.max - window.hits, 0))],
        ['RateLimit-Reset', String(Math.ceil((window.resetAt - now) / 1000))],
      );
      if (window.hits > limit.max) {
        this.stats.limited++;
        return this.send(res, 429, RATE_LIMITED_BODY, [
          ...headers,
          ['Retry-After', String(Math.ceil(limit.windowMs / 1000))],
        ]);
      }
    }

    if (url.pathname !== '/graphql') return this.send(res, 404, '{"error":"not found"}', headers);
    const params =
      req.method === 'GET'
        ? {
            query: url.searchParams.get('query') ?? undefined,
            variables: url.searchParams.get('variables') ? JSON.parse(url.searchParams.get('variables')!) : undefined,
            operationName: url.searchParams.get('operationName') ?? undefined,
          }
        : body;
    const { status, result } = this.run(params);
    this.send(res, status, JSON.stringify(result), headers);
  }

  /** express-graphql's flow: 400 for a missing query, syntax and validation errors; 500 when execution yields no data. */
  private run(params: Record<string, unknown>): { status: number; result: ExecutionResult } {
    const query = params.query;
    if (typeof query !== 'string' || query === '')
      return { status: 400, result: { errors: [new GraphQLError('Must provide query string.')] } };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { status: 400, result: { errors: [error as GraphQLError] } };
    }
    const validationErrors = validate(this.graphql.schema, document, [...specifiedRules, depthLimitRule(5)]);
    if (validationErrors.length > 0) return { status: 400, result: { errors: validationErrors } };

    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length > MAX_OPERATIONS) {
      return {
        status: 500,
        result: { errors: [new GraphQLError(`The request exceeds the maximum number of query: ${MAX_OPERATIONS}`)] },
      };
    }
    for (const operation of operations) {
      if (operation.selectionSet.selections.length > MAX_ROOT_FIELDS) {
        return {
          status: 500,
          result: {
            errors: [
              new GraphQLError(
                `'${operation.name?.value ?? ''} exceeds the maximum number of root selections: ${MAX_ROOT_FIELDS}`,
              ),
            ],
          },
        };
      }
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind === Kind.FIELD)
          this.stats.byField[selection.name.value] = (this.stats.byField[selection.name.value] ?? 0) + 1;
      }
    }
    const result = execute({
      schema: this.graphql.schema,
      document,
      rootValue: this.graphql.rootValue,
      variableValues: (params.variables as Record<string, unknown> | undefined) ?? undefined,
      operationName: typeof params.operationName === 'string' ? params.operationName : undefined,
    }) as ExecutionResult;
    return { status: result.data ? 200 : 500, result };
  }
}

function clientIp(req: http.IncomingMessage): string {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return (
    header('cf-connecting-ip') ??
    header('x-real-ip') ??
    header('x-forwarded-for')?.split(',')[0]?.trim() ??
    req.socket.remoteAddress ??
    ''
  );
}

/** Starts a stand-in hub on 127.0.0.1 and a free port. */
export async function startHub(data: HubData, options: HubOptions = {}): Promise<SnapshotHubStandIn> {
  const hub = new SnapshotHubStandIn(data, options);
  await hub.listen();
  return hub;
}
