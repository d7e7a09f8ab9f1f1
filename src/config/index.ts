import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { ConfigError } from '../errors.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  /** A PostgreSQL server; when absent the embedded database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Database connections and timeouts (see the README's "Scale settings"). */
  database: DatabaseConfig;
  dataDir: string;
  logLevel: LogLevel;
  redisUrl: string | undefined;
  /** `['*']` allows every origin; an empty list disables CORS. */
  corsOrigins: string[];
  /** Largest request body, in bytes (imports through the API stream NDJSON bodies). */
  bodyLimit: number;
  /** Snapshot hub (GraphQL) used by the Snapshot source. */
  snapshot: SnapshotConfig;
  /** How the sync engine runs (see src/sync and the README's "Sync" section). */
  sync: SyncConfig;
  /** JSON-RPC endpoints of the chains the on-chain sources read, by chain id (`RPC_URL_<chainId>`). */
  rpcUrls: Record<number, string>;
  /** Blocks below the head after which a block is final; reorgs are detected and rolled back within it. */
  confirmations: number;
  /** ENS names and avatars of addresses (src/ens), looked up on Ethereum when an RPC is configured. */
  ens: EnsConfig;
  /** Token price API in DefiLlama's coins API shape (`GET {base}/prices/current/{chain}:{address},...`). */
  priceApiUrl: string;
  /** `NODE_ENV`: production refuses settings that are only safe on a developer's machine. */
  production: boolean;
  /**
   * Host names the server answers to besides IP addresses and localhost (`PUBLIC_URL`'s host and
   * `ALLOWED_HOSTS`): a request naming any other host is refused, so a DNS-rebinding page cannot
   * reach a server on loopback through a name of its own.
   */
  allowedHosts: string[];
  /**
   * `TRUST_PROXY`: addresses, CIDRs and `loopback`/`linklocal`/`uniquelocal` of the reverse proxies
   * whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed. Empty: the connection's own
   * address is the client's (a header any client can send is never believed).
   */
  trustProxy: string[];
  /** Accounts, sessions and access (see src/auth and the README's "Accounts and access"). */
  auth: AuthConfig;
  /** `METRICS_TOKEN`: when set, GET /metrics needs `Authorization: Bearer <token>`; unset, it is public. */
  metricsToken: string | undefined;
  /** `PUBLIC_URL` without a trailing slash: notification links are absolute under it (paths when unset). */
  publicUrl: string | undefined;
  /** Operator alert rules (src/alerts; the README's "Alerts"). */
  alerts: AlertsConfig;
  /** What the governance detectors tell, and when (src/notify/detectors; the README's "Alerts"). */
  governanceNotify: GovernanceNotifyConfig;
  /** AI analysis (see src/ai and the README's "AI analysis"). */
  ai: AiConfig;
  /** Backups: where `backup` and the scheduled backups of `serve` write, when, and how many are kept (src/backup). */
  backup: BackupConfig;
  /** Notification channels and their delivery (see src/notify and the README's "Notifications"). */
  notify: NotifyConfig;
}

/** A warning and a critical level of one figure. */
export interface Levels {
  warning: number;
  critical: number;
}

export interface AlertsConfig {
  /** How often the rules are evaluated (seconds). */
  intervalSeconds: number;
  /** After a message about one (rule, subject), none other for this long, except an escalation to critical. */
  cooldownSeconds: number;
  /** Share of 5xx answers in the recent window (0–1). */
  errorRate: Levels;
  /** Fewer requests than this in the window: the error rate is not judged. */
  minRequests: number;
  /** p95 response time, seconds. */
  p95Seconds: Levels;
  /** Memory used ÷ limit (0–1). */
  memoryRatio: Levels;
  /** Database connections in use ÷ pool size (0–1). */
  poolRatio: Levels;
  /** Free disk share below which DATA_DIR or the backup directory alerts (0–1); warning is the higher. */
  diskFreeRatio: Levels;
  /** A source with no success for this many of its intervals is critical (failing alone is a warning). */
  sourceStaleIntervals: number;
}

export interface GovernanceNotifyConfig {
  /** How often the time-based detectors (ending, not voted, quorum at risk, outcome, outflow) sweep. */
  sweepSeconds: number;
  /** "Ending soon" fires this many hours before a proposal's end. */
  endingHours: number;
  /** "Has not voted" fires for a watched address this many hours before the end. */
  notVotedHours: number;
  /** Quorum at risk is judged once this share of the voting window has passed (0–1). */
  quorumMinElapsed: number;
  /** Ended proposals (the DAO's newest) the late-vote curve is learned from. */
  curveProposals: number;
  /** Outcomes and new proposals older than this (hours) are history, not news. */
  lookbackHours: number;
  /** Treasury outflow alerts above this many USD within the window. */
  outflowUsd: number;
  outflowWindowHours: number;
}

/** An OUTBOUND_ALLOW entry: a CIDR (or one address), or a host:port pair. */
export type AllowRule = { kind: 'cidr'; cidr: string } | { kind: 'hostport'; host: string; port: number };
export const NOTIFY_CHANNEL_KINDS = ['email', 'slack', 'discord', 'telegram', 'webhook'] as const;

export interface NotifyConfig {
  /** Key of the secrets kept at rest (at least 32 bytes); unset outside production: generated once and kept in the database. */
  secretsKey: string | undefined;
  /** Private hosts that outbound requests to user-set URLs may reach anyway. */
  outboundAllow: AllowRule[];
  /** SMTP server of the email channel (smtp:// or smtps://, with user and password when it needs them). */
  smtpUrl: string | undefined;
  smtpFrom: string;
  telegramBotToken: string | undefined;
  /** Bot API base (tests point it at a local stand-in). */
  telegramApiUrl: string;
  /** ALERT_CHANNELS: the operator channels, `kind:target` entries. */
  alertChannels: { kind: (typeof NOTIFY_CHANNEL_KINDS)[number]; target: string; secret: string | undefined }[];
  /** Tries per delivery before it is marked failed. */
  attempts: number;
  /** Delay before the first retry; doubled for each further one (a Retry-After answer overrides it). */
  backoffSeconds: number;
  /** Deadline of one outbound request. */
  timeoutSeconds: number;
  /** How often a dispatcher looks for due deliveries. */
  pollSeconds: number;
}

export interface EnsConfig {
  /** `ENS_RPC_URL`, else `RPC_URL_1` (Ethereum mainnet); unset: no names are looked up and every `ens` is null. */
  rpcUrl: string | undefined;
  /** `ENS_UNIVERSAL_RESOLVER`: the ENS Universal Resolver to call; unset: viem's one of Ethereum mainnet. */
  universalResolver: `0x${string}` | undefined;
  /** How long a resolved name (or the absence of one) is served before it is looked up again. */
  ttlSeconds: number;
  /** Longest a voter profile waits for a name not cached yet; the lookup then finishes in the background. */
  timeoutMs: number;
}

export interface DatabaseConfig {
  /** `DATABASE_READ_URL`: a streaming replica of DATABASE_URL for the API's reads that may lag a little. */
  readUrl: string | undefined;
  /** Connections per pool (the primary's, and the reads' when they have their own). */
  poolSize: number;
  /** PostgreSQL `statement_timeout` of the API's read connections, in ms; 0: none. */
  statementTimeoutMs: number;
  /** How long an API request may take before it is answered 503 (long-running routes exempt); 0: no limit. */
  requestTimeoutMs: number;
  /** For how long after a write the same caller's reads go to the primary (read-your-writes). */
  readYourWritesSeconds: number;
}

export interface BackupConfig {
  /** `BACKUP_DIR`; unset: `backup` writes to ./backups and `serve` schedules none. */
  dir: string | undefined;
  schedule: BackupSchedule;
  /** Newest backup kept of each of the last N days, ISO weeks and months (UTC). */
  keep: { daily: number; weekly: number; monthly: number };
}

export interface AuthConfig {
  /** HS256 key for session tokens (at least 32 bytes); unset outside production: generated once and kept in the database. */
  jwtSecret: string | undefined;
  /** Secure cookies: true, false, or undefined for "when the request came over TLS". */
  cookieSecure: boolean | undefined;
  /** Whether anonymous callers may read (GET) the API; writes always need a role. */
  publicRead: boolean;
  /** Requests per minute per IP (anonymous), user or API key. */
  rateLimitPerMinute: number;
  /** Sign-in, password, two-factor and key-creation attempts per minute per caller. */
  signInRatePerMinute: number;
  /** `DAO_PORTAL_API_KEY`: the key the CLI sends when a running server does its import or sync. */
  cliApiKey: string | undefined;
}

export interface SnapshotConfig {
  hubUrl: string;
  /** Sent as `x-api-key`; a valid key lifts the hub's per-IP limit. */
  apiKey: string | undefined;
  /** Requests per minute this process allows itself (the public hub answers 429 beyond 100/min). */
  rateLimit: number;
}

export interface SyncConfig {
  /** Every (DAO, source) is brought up to date this often. */
  intervalSeconds: number;
  /** Sync jobs run at once by this process (in-process scheduler or BullMQ worker). */
  concurrency: number;
  /** Tries per job before it is left for the next interval. */
  attempts: number;
  /** Delay before the first retry; doubled for each further one. */
  backoffSeconds: number;
  /** Whether `serve` also runs sync jobs; false makes it an API-only process (workers run them). */
  worker: boolean;
  /** Redis key prefix of the BullMQ queue (several installations can share one Redis). */
  queuePrefix: string;
  /** How soon a job whose BullMQ worker died (its lock no longer renewed) goes to another worker. */
  stalledSeconds: number;
}

type Env = Record<string, string | undefined>;

/**
 * BACKUP_SCHEDULE: when `serve` writes a backup, in UTC.
 * - `daily@HH:MM`: every day at that time, e.g. `daily@03:00`;
 * - `hourly@MM`: every hour at that minute, e.g. `hourly@15`;
 * - `every:N` + `m` or `h`: every N minutes or hours from the start of the day, e.g. `every:6h`;
 * - `off` (or unset): no scheduled backups.
 */
export type BackupSchedule =
  | { kind: 'off' }
  | { kind: 'daily'; hour: number; minute: number }
  | { kind: 'hourly'; minute: number }
  | { kind: 'every'; minutes: number };

export const SCHEDULE_HELP = "daily@HH:MM, hourly@MM, every:Nm, every:Nh or off (UTC), e.g. 'daily@03:00'";

function backupSchedule(env: Env, name: string): BackupSchedule {
  const raw = env[name];
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'off') return { kind: 'off' };
  let m = /^daily@(\d{1,2}):(\d{2})$/.exec(value);
  if (m && Number(m[1]) < 24 && Number(m[2]) < 60) return { kind: 'daily', hour: Number(m[1]), minute: Number(m[2]) };
  m = /^hourly@(\d{1,2})$/.exec(value);
  if (m && Number(m[1]) < 60) return { kind: 'hourly', minute: Number(m[1]) };
  m = /^every:(\d{1,4})([mh])$/.exec(value);
  if (m) {
    const minutes = Number(m[1]) * (m[2] === 'h' ? 60 : 1);
    if (minutes >= 1 && minutes <= 7 * 24 * 60) return { kind: 'every', minutes };
  }
  throw new ConfigError(`${name} must be ${SCHEDULE_HELP}, got '${raw}'`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL like ${protocols[0]}//host:port/..., got '${raw}'`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got '${parsed.protocol}'`);
  }
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

function origins(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    try {
      const u = new URL(origin);
      if (u.origin !== origin) throw new Error('not an origin');
    } catch {
      throw new ConfigError(
        `${name} must be '*' or a comma-separated list of origins like https://example.org, got '${origin}'`,
      );
    }
  }
  return list;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got '${env[name]}'`);
}

/** Every `RPC_URL_<chainId>` variable, keyed by the decimal chain id. */
function rpcUrls(env: Env): Record<number, string> {
  const urls: Record<number, string> = {};
  for (const name of Object.keys(env).sort()) {
    const match = /^RPC_URL_(.*)$/.exec(name);
    if (!match) continue;
    const id = match[1]!;
    if (!/^[1-9]\d{0,15}$/.test(id)) {
      throw new ConfigError(`${name}: the suffix must be a decimal chain id like RPC_URL_1, got '${id}'`);
    }
    const value = url(env, name, ['http:', 'https:']);
    if (value) urls[Number(id)] = value;
  }
  return urls;
}

function secret(env: Env, name: string, production: boolean): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (production)
      throw new ConfigError(`${name} must be set in production (at least 32 bytes, e.g. openssl rand -base64 48)`);
    return undefined;
  }
  if (Buffer.byteLength(raw) < 32)
    throw new ConfigError(`${name} must be at least 32 bytes, got ${Buffer.byteLength(raw)}`);
  return raw;
}

/** An IP address or a CIDR (10.0.0.0/8, fd00::/8), as ipaddr.js reads them. */
function isAddressOrCidr(entry: string): boolean {
  if (ipaddr.isValid(entry)) return true;
  if (!entry.includes('/')) return false;
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

/** OUTBOUND_ALLOW: comma-separated CIDRs (10.0.0.0/8, fd00::/8, 192.168.1.5) or host:port entries. */
export function parseAllowList(raw: string): AllowRule[] {
  const rules: AllowRule[] = [];
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (isAddressOrCidr(entry)) {
      rules.push({ kind: 'cidr', cidr: entry });
      continue;
    }
    if (entry.includes('/'))
      throw new ConfigError(`OUTBOUND_ALLOW: '${entry}' is not a CIDR like 10.0.0.0/8 or fd00::/8`);
    const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(entry);
    const port = match ? Number(match[2]) : 0;
    const host = match ? match[1]!.replace(/^\[|\]$/g, '') : '';
    if (!match || port < 1 || port > 65535 || (match[1]!.startsWith('[') && !ipaddr.isValid(host))) {
      throw new ConfigError(
        `OUTBOUND_ALLOW: '${entry}' is neither a CIDR (10.0.0.0/8, fd00::/8, an address) nor host:port (hooks.internal:8080, [fd00::5]:443)`,
      );
    }
    rules.push({ kind: 'hostport', host: host.toLowerCase(), port });
  }
  return rules;
}

/**
 * ALERT_CHANNELS: comma-separated `kind:target` entries (`slack:https://hooks.slack.com/…`,
 * `email:ops@example.org`, `telegram:<chat id>`, `webhook:https://…` with an optional `|<HMAC secret>`).
 */
function alertChannels(env: Env): NotifyConfig['alertChannels'] {
  const list: NotifyConfig['alertChannels'] = [];
  for (const entry of (env.ALERT_CHANNELS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const kind = entry.slice(0, colon) as (typeof NOTIFY_CHANNEL_KINDS)[number];
    if (colon < 1 || !NOTIFY_CHANNEL_KINDS.includes(kind) || colon === entry.length - 1) {
      throw new ConfigError(
        `ALERT_CHANNELS: '${entry.slice(0, 40)}' must be kind:target with kind one of ${NOTIFY_CHANNEL_KINDS.join(', ')}`,
      );
    }
    const rest = entry.slice(colon + 1);
    const bar = kind === 'webhook' ? rest.lastIndexOf('|') : -1;
    list.push({
      kind,
      target: bar > 0 ? rest.slice(0, bar) : rest,
      secret: bar > 0 ? rest.slice(bar + 1) : undefined,
    });
  }
  return list;
}

/** PUBLIC_URL's host and the comma-separated ALLOWED_HOSTS, lowercase, without ports. */
function allowedHosts(env: Env): string[] {
  const hosts = new Set<string>();
  const publicUrl = url(env, 'PUBLIC_URL', ['https:', 'http:']);
  if (publicUrl) hosts.add(new URL(publicUrl).hostname.toLowerCase());
  for (const raw of (env.ALLOWED_HOSTS ?? '').split(',')) {
    const host = raw.trim().toLowerCase();
    if (!host) continue;
    if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
      throw new ConfigError(
        `ALLOWED_HOSTS must be host names like portal.example.org or *.example.org, got '${raw.trim()}'`,
      );
    }
    hosts.add(host);
  }
  return [...hosts];
}

/** The names proxy-addr (Fastify's `trustProxy`) knows for address ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: comma-separated addresses, CIDRs or range names of the reverse proxies in front.
 * `true` (trust every hop) is refused: then any client could name itself in X-Forwarded-For and
 * pick its own rate-limit budget and audit-log address.
 */
export function trustedProxies(raw: string): string[] {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!PROXY_RANGES.includes(entry) && !isAddressOrCidr(entry))
      throw new ConfigError(
        `TRUST_PROXY: '${entry}' is not an address, a CIDR (172.16.0.0/12, fd00::/8) or one of ${PROXY_RANGES.join(', ')}; list the proxies whose X-Forwarded-For to believe`,
      );
  }
  return entries;
}

/** Settings that are only safe on one's own machine are refused in production, naming the variable. */
function checkProduction(env: Env, config: Pick<Config, 'corsOrigins'>): void {
  if (config.corsOrigins.includes('*'))
    throw new ConfigError("CORS_ORIGINS must not be '*' in production: list the origins that may call the API");
  if (env.PUBLIC_READ === undefined || env.PUBLIC_READ.trim() === '') {
    throw new ConfigError(
      'PUBLIC_READ must be set in production: true (anyone may read the API) or false (every route needs a role)',
    );
  }
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new ConfigError(`${name} must be a number from 0 to 1 (e.g. 0.05 for 5%), got '${raw}'`);
  return value;
}

function positive(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max)
    throw new ConfigError(`${name} must be a number above 0 and at most ${max}, got '${raw}'`);
  return value;
}

/** `<NAME>_WARNING` and `<NAME>_CRITICAL`; the critical level must be beyond the warning in the rule's direction. */
function levels(
  env: Env,
  name: string,
  fallback: Levels,
  read: (env: Env, name: string, fallback: number) => number,
  direction: 'above' | 'below' = 'above',
): Levels {
  const warning = read(env, `${name}_WARNING`, fallback.warning);
  const critical = read(env, `${name}_CRITICAL`, fallback.critical);
  if (direction === 'above' ? critical < warning : critical > warning)
    throw new ConfigError(
      `${name}_CRITICAL must be ${direction === 'above' ? 'at least' : 'at most'} ${name}_WARNING (${warning}), got ${critical}`,
    );
  return { warning, critical };
}

function alertsConfig(env: Env): AlertsConfig {
  const seconds = (e: Env, n: string, f: number) => positive(e, n, f, 3600);
  return {
    intervalSeconds: integer(env, 'ALERT_INTERVAL_SECONDS', 30, 1, 3600),
    cooldownSeconds: integer(env, 'ALERT_COOLDOWN_SECONDS', 300, 0, 7 * 24 * 3600),
    errorRate: levels(env, 'ALERT_ERROR_RATE', { warning: 0.01, critical: 0.05 }, fraction),
    minRequests: integer(env, 'ALERT_MIN_REQUESTS', 20, 1, 1_000_000),
    p95Seconds: levels(env, 'ALERT_P95_SECONDS', { warning: 2, critical: 5 }, seconds),
    memoryRatio: levels(env, 'ALERT_MEMORY_RATIO', { warning: 0.8, critical: 0.9 }, fraction),
    poolRatio: levels(env, 'ALERT_DB_POOL_RATIO', { warning: 0.8, critical: 0.9 }, fraction),
    diskFreeRatio: levels(env, 'ALERT_DISK_FREE_RATIO', { warning: 0.2, critical: 0.1 }, fraction, 'below'),
    sourceStaleIntervals: positive(env, 'ALERT_SOURCE_STALE_INTERVALS', 2, 1000),
  };
}

function governanceNotifyConfig(env: Env): GovernanceNotifyConfig {
  return {
    sweepSeconds: integer(env, 'NOTIFY_SWEEP_SECONDS', 60, 1, 24 * 3600),
    endingHours: positive(env, 'NOTIFY_ENDING_HOURS', 24, 24 * 365),
    notVotedHours: positive(env, 'NOTIFY_NOT_VOTED_HOURS', 24, 24 * 365),
    quorumMinElapsed: fraction(env, 'NOTIFY_QUORUM_MIN_ELAPSED', 0.5),
    curveProposals: integer(env, 'NOTIFY_CURVE_PROPOSALS', 50, 1, 10_000),
    lookbackHours: positive(env, 'NOTIFY_LOOKBACK_HOURS', 72, 24 * 365 * 10),
    outflowUsd: positive(env, 'NOTIFY_OUTFLOW_USD', 100_000, 1e15),
    outflowWindowHours: positive(env, 'NOTIFY_OUTFLOW_WINDOW_HOURS', 24, 24 * 365),
  };
}

function databaseConfig(env: Env): DatabaseConfig {
  const readUrl = url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  if (readUrl && !env.DATABASE_URL?.trim())
    throw new ConfigError(
      'DATABASE_READ_URL needs DATABASE_URL: a read replica is a copy of a PostgreSQL server (the embedded database has none)',
    );
  return {
    readUrl,
    poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    statementTimeoutMs: integer(env, 'STATEMENT_TIMEOUT_MS', 0, 0, 24 * 3600 * 1000),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 0, 24 * 3600 * 1000),
    readYourWritesSeconds: integer(env, 'READ_YOUR_WRITES_SECONDS', 10, 0, 3600),
  };
}

/** AI providers (src/ai: one file each under providers/). */
export const PROVIDER_NAMES = ['offline', 'openai', 'groq', 'anthropic', 'ollama', 'huggingface'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export type RemoteProviderName = Exclude<ProviderName, 'offline'>;
export const REMOTE_PROVIDERS: readonly RemoteProviderName[] = ['openai', 'groq', 'anthropic', 'ollama', 'huggingface'];
/** Providers this version ships. */
export const AVAILABLE_PROVIDERS: readonly ProviderName[] = PROVIDER_NAMES;
/** What a caller may ask the AI router to favour. */
export const PRIORITIES = ['speed', 'accuracy', 'balanced'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** One step of a route: a provider and, optionally, its model (the provider's default when absent). */
export interface RouteStep {
  provider: ProviderName;
  model: string | undefined;
}

/** USD per million input and output tokens. */
export interface Price {
  input: string;
  output: string;
}

export interface ProviderSettings {
  /** Whether the environment names this provider at all (a key, a base URL, AI_PROVIDER or AI_ROUTES). */
  enabled: boolean;
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** The variable that holds the key (named in configuration problems). */
  keyVariable: string;
  /** Requests and tokens per minute this process allows itself, and calls at once. */
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrency: number;
  /** Hugging Face only: the Inference Provider to route to (HF_PROVIDER, default auto). */
  hfProvider?: string | undefined;
}

export interface AiLimits {
  /** Deadline of one call to a provider. */
  timeoutMs: number;
  /** Tries of one call (a 429, 5xx, timeout or network failure is retried). */
  attempts: number;
  /** Delay before the first retry, doubled for each further one; a Retry-After answer overrides it. */
  backoffMs: number;
  /** Longest a call waits for a rate limit, a free slot or a Retry-After before the router falls back. */
  maxWaitMs: number;
  /** Consecutive failures that open a provider's circuit, and how long it stays open. */
  circuitFailures: number;
  circuitCooldownMs: number;
  /** Output tokens a call may produce (and reserves in the tokens-per-minute limit). */
  maxOutputTokens: number;
  /** The length of the rate-limit window (one minute; tests shorten it). */
  windowMs: number;
}

export interface AiConfig {
  /** The provider analyses use first; offline when nothing is configured. */
  provider: ProviderName;
  /** The model of that provider; its default when unset. */
  model: string | undefined;
  providers: Record<RemoteProviderName, ProviderSettings>;
  /** AI_ROUTES: provider and model by priority, tried in order (offline is always appended last). */
  routes: Record<Priority, RouteStep[]>;
  /** Price per `provider:model` (AI_PRICES over the built-in defaults). */
  prices: Record<string, Price>;
  /** AI_DAILY_BUDGET_USD: once today's cost reaches it, paid providers are skipped (offline still answers). */
  dailyBudgetUsd: string | undefined;
  limits: AiLimits;
}

/**
 * The routes when AI_ROUTES is unset: speed favours Groq's small fast model, accuracy the
 * strongest hosted models, balanced the mid ones. Steps whose provider is not configured are skipped.
 */
export const DEFAULT_ROUTES: Record<Priority, RouteStep[]> = {
  speed: [
    { provider: 'groq', model: 'llama-3.1-8b-instant' },
    { provider: 'openai', model: 'gpt-4.1-mini' },
    { provider: 'anthropic', model: 'claude-haiku-4-5' },
    { provider: 'huggingface', model: undefined },
    { provider: 'ollama', model: undefined },
  ],
  accuracy: [
    { provider: 'anthropic', model: 'claude-sonnet-4-5' },
    { provider: 'openai', model: 'gpt-4.1' },
    { provider: 'groq', model: 'llama-3.3-70b-versatile' },
    { provider: 'huggingface', model: undefined },
    { provider: 'ollama', model: undefined },
  ],
  balanced: [
    { provider: 'openai', model: 'gpt-4.1-mini' },
    { provider: 'anthropic', model: 'claude-haiku-4-5' },
    { provider: 'groq', model: 'llama-3.3-70b-versatile' },
    { provider: 'huggingface', model: undefined },
    { provider: 'ollama', model: undefined },
  ],
};

/** List prices of the default routes' models (USD per million tokens); AI_PRICES overrides or adds. */
export const DEFAULT_PRICES: Record<string, Price> = {
  'openai:gpt-4.1': { input: '2', output: '8' },
  'openai:gpt-4.1-mini': { input: '0.4', output: '1.6' },
  'openai:gpt-4o-mini': { input: '0.15', output: '0.6' },
  'anthropic:claude-sonnet-4-5': { input: '3', output: '15' },
  'anthropic:claude-haiku-4-5': { input: '1', output: '5' },
  'groq:llama-3.1-8b-instant': { input: '0.05', output: '0.08' },
  'groq:llama-3.3-70b-versatile': { input: '0.59', output: '0.79' },
};

const MODEL = /^[\w.:/@-]{1,200}$/;
const DECIMAL = /^\d{1,9}(\.\d{1,6})?$/;

/** `AI_ROUTES`: `speed=groq:llama-3.1-8b-instant,openai;accuracy=anthropic:claude-sonnet-4-5;balanced=openai:gpt-4.1-mini`. */
function aiRoutes(env: Env): Record<Priority, RouteStep[]> | undefined {
  const raw = env.AI_ROUTES?.trim();
  if (!raw) return undefined;
  const routes: Record<Priority, RouteStep[]> = { speed: [], accuracy: [], balanced: [] };
  for (const part of raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const priority = part.slice(0, eq).trim() as Priority;
    if (eq < 1 || !PRIORITIES.includes(priority))
      throw new ConfigError(
        `AI_ROUTES: '${part.slice(0, 60)}' must be priority=provider[:model],... with priority one of ${PRIORITIES.join(', ')}`,
      );
    for (const step of part
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const colon = step.indexOf(':');
      const provider = (colon < 0 ? step : step.slice(0, colon)) as ProviderName;
      const model = colon < 0 ? undefined : step.slice(colon + 1);
      if (!PROVIDER_NAMES.includes(provider))
        throw new ConfigError(
          `AI_ROUTES: '${step.slice(0, 60)}' names no provider; use one of ${PROVIDER_NAMES.join(', ')}`,
        );
      if (model !== undefined && !MODEL.test(model))
        throw new ConfigError(
          `AI_ROUTES: '${step.slice(0, 60)}' has a model name that is not letters, digits, . : / @ _ -`,
        );
      routes[priority].push({ provider, model });
    }
  }
  return routes;
}

/** `AI_PRICES`: `openai:gpt-4.1-mini=0.4/1.6,groq:llama-3.1-8b-instant=0.05/0.08` (USD per million input/output tokens). */
function aiPrices(env: Env): Record<string, Price> {
  const prices = { ...DEFAULT_PRICES };
  for (const entry of (env.AI_PRICES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+):([\w.:/@-]{1,200})=([\d.]+)\/([\d.]+)$/.exec(entry);
    if (!m || !PROVIDER_NAMES.includes(m[1] as ProviderName) || !DECIMAL.test(m[3]!) || !DECIMAL.test(m[4]!))
      throw new ConfigError(
        `AI_PRICES: '${entry.slice(0, 80)}' must be provider:model=input/output in USD per million tokens, e.g. openai:gpt-4.1-mini=0.4/1.6`,
      );
    prices[`${m[1]}:${m[2]}`] = { input: m[3]!, output: m[4]! };
  }
  return prices;
}

function decimal(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  // Costs are kept to the picodollar, so a budget may have up to 12 decimals.
  if (!/^\d{1,9}(\.\d{1,12})?$/.test(raw))
    throw new ConfigError(`${name} must be an amount in USD like 5 or 2.50, got '${raw}'`);
  return raw;
}

/** Per-provider keys, base URLs and limits: `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_RPM`, `OPENAI_TPM`, `OPENAI_CONCURRENCY`, … */
function providerSettings(env: Env, primary: ProviderName, routes: Record<Priority, RouteStep[]> | undefined) {
  const named = new Set<ProviderName>([
    primary,
    ...Object.values(routes ?? {}).flatMap((r) => r.map((s) => s.provider)),
  ]);
  const defaults: Record<RemoteProviderName, { prefix: string; key: string; base: string; rpm: number; tpm: number }> =
    {
      openai: { prefix: 'OPENAI', key: 'OPENAI_API_KEY', base: 'OPENAI_BASE_URL', rpm: 500, tpm: 200_000 },
      groq: { prefix: 'GROQ', key: 'GROQ_API_KEY', base: 'GROQ_BASE_URL', rpm: 30, tpm: 6_000 },
      anthropic: { prefix: 'ANTHROPIC', key: 'ANTHROPIC_API_KEY', base: 'ANTHROPIC_BASE_URL', rpm: 50, tpm: 30_000 },
      ollama: { prefix: 'OLLAMA', key: 'OLLAMA_API_KEY', base: 'OLLAMA_HOST', rpm: 600, tpm: 10_000_000 },
      huggingface: { prefix: 'HF', key: 'HF_TOKEN', base: 'HF_ENDPOINT_URL', rpm: 60, tpm: 100_000 },
    };
  const out = {} as Record<RemoteProviderName, ProviderSettings>;
  for (const name of REMOTE_PROVIDERS) {
    const d = defaults[name];
    const apiKey = env[d.key]?.trim() || undefined;
    const baseUrl = url(env, d.base, ['http:', 'https:'])?.replace(/\/+$/, '');
    out[name] = {
      enabled: named.has(name) || apiKey !== undefined || baseUrl !== undefined,
      apiKey,
      baseUrl,
      keyVariable: d.key,
      requestsPerMinute: integer(env, `${d.prefix}_RPM`, d.rpm, 1, 1_000_000),
      tokensPerMinute: integer(env, `${d.prefix}_TPM`, d.tpm, 100, 1_000_000_000),
      concurrency: integer(env, `${d.prefix}_CONCURRENCY`, name === 'ollama' ? 1 : 4, 1, 256),
      ...(name === 'huggingface' ? { hfProvider: env.HF_PROVIDER?.trim() || undefined } : {}),
    };
  }
  return out;
}

/** `AI_PROVIDER` (or its alias `MODEL_PROVIDER`), `AI_MODEL`, the providers' keys, routes, prices, budget and limits. */
function aiConfig(env: Env): AiConfig {
  const name = env.AI_PROVIDER?.trim() ? 'AI_PROVIDER' : 'MODEL_PROVIDER';
  const provider = oneOf<ProviderName>(env, name, PROVIDER_NAMES, 'offline');
  const model = env.AI_MODEL?.trim() || undefined;
  if (model !== undefined && !MODEL.test(model))
    throw new ConfigError(`AI_MODEL must be a model name (letters, digits, . : / @ _ -), got '${model}'`);
  const explicit = aiRoutes(env);
  return {
    provider,
    model,
    providers: providerSettings(env, provider, explicit),
    routes: explicit ?? DEFAULT_ROUTES,
    prices: aiPrices(env),
    dailyBudgetUsd: decimal(env, 'AI_DAILY_BUDGET_USD'),
    limits: {
      timeoutMs: integer(env, 'AI_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
      attempts: integer(env, 'AI_ATTEMPTS', 3, 1, 20),
      backoffMs: integer(env, 'AI_BACKOFF_MS', 500, 0, 600_000),
      maxWaitMs: integer(env, 'AI_MAX_WAIT_SECONDS', 30, 0, 3600) * 1000,
      circuitFailures: integer(env, 'AI_CIRCUIT_FAILURES', 5, 1, 1000),
      circuitCooldownMs: integer(env, 'AI_CIRCUIT_COOLDOWN_SECONDS', 60, 1, 24 * 3600) * 1000,
      maxOutputTokens: integer(env, 'AI_MAX_OUTPUT_TOKENS', 1500, 64, 100_000),
      windowMs: 60_000,
    },
  };
}

/** Reads and validates the environment once; a bad value stops start-up naming the variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const production = oneOf(env, 'NODE_ENV', ['production', 'development', 'test'], 'development') === 'production';
  const corsOrigins = origins(env, 'CORS_ORIGINS');
  if (production) checkProduction(env, { corsOrigins });
  return {
    port: integer(env, 'PORT', 8000, 0, 65535),
    // Loopback unless told otherwise: a fresh install is not reachable from the network by accident.
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    database: databaseConfig(env),
    dataDir: path.resolve(cwd, env.DATA_DIR?.trim() || 'data'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    corsOrigins,
    bodyLimit: integer(env, 'BODY_LIMIT', 256 * 1024 * 1024, 1024, 2 ** 31 - 1),
    snapshot: {
      hubUrl: url(env, 'SNAPSHOT_HUB_URL', ['https:', 'http:']) ?? 'https://hub.snapshot.org/graphql',
      apiKey: env.SNAPSHOT_API_KEY?.trim() || undefined,
      rateLimit: integer(env, 'SNAPSHOT_RATE_LIMIT', 90, 1, 100_000),
    },
    sync: {
      intervalSeconds: integer(env, 'SYNC_INTERVAL_SECONDS', 300, 1, 7 * 24 * 3600),
      concurrency: integer(env, 'SYNC_CONCURRENCY', 2, 1, 64),
      attempts: integer(env, 'SYNC_ATTEMPTS', 5, 1, 100),
      backoffSeconds: integer(env, 'SYNC_BACKOFF_SECONDS', 10, 0, 24 * 3600),
      worker: boolean(env, 'SYNC_WORKER', true),
      queuePrefix: env.SYNC_QUEUE_PREFIX?.trim() || 'dao-portal',
      stalledSeconds: integer(env, 'SYNC_STALLED_SECONDS', 30, 1, 3600),
    },
    rpcUrls: rpcUrls(env),
    ens: ensConfig(env),
    confirmations: integer(env, 'CONFIRMATIONS', 12, 0, 10_000),
    priceApiUrl: (url(env, 'PRICE_API_URL', ['http:', 'https:']) ?? 'https://coins.llama.fi').replace(/\/+$/, ''),
    production,
    allowedHosts: allowedHosts(env),
    trustProxy: trustedProxies(env.TRUST_PROXY ?? ''),
    auth: {
      jwtSecret: secret(env, 'JWT_SECRET', production),
      cookieSecure: env.COOKIE_SECURE?.trim() ? boolean(env, 'COOKIE_SECURE', false) : undefined,
      publicRead: boolean(env, 'PUBLIC_READ', true),
      rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 100, 1, 1_000_000),
      signInRatePerMinute: integer(env, 'SIGN_IN_RATE_PER_MINUTE', 10, 1, 1_000_000),
      cliApiKey: env.DAO_PORTAL_API_KEY?.trim() || undefined,
    },
    publicUrl: url(env, 'PUBLIC_URL', ['https:', 'http:'])?.replace(/\/+$/, ''),
    alerts: alertsConfig(env),
    governanceNotify: governanceNotifyConfig(env),
    ai: aiConfig(env),
    notify: {
      secretsKey: secret(env, 'SECRETS_KEY', production),
      outboundAllow: parseAllowList(env.OUTBOUND_ALLOW ?? ''),
      smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      smtpFrom: env.SMTP_FROM?.trim() || 'DAO Portal <notifications@localhost>',
      telegramBotToken: env.TELEGRAM_BOT_TOKEN?.trim() || undefined,
      telegramApiUrl: (url(env, 'TELEGRAM_API_URL', ['https:', 'http:']) ?? 'https://api.telegram.org').replace(
        /\/+$/,
        '',
      ),
      alertChannels: alertChannels(env),
      attempts: integer(env, 'NOTIFY_ATTEMPTS', 8, 1, 100),
      backoffSeconds: integer(env, 'NOTIFY_BACKOFF_SECONDS', 30, 0, 24 * 3600),
      timeoutSeconds: integer(env, 'NOTIFY_TIMEOUT_SECONDS', 10, 1, 300),
      pollSeconds: integer(env, 'NOTIFY_POLL_SECONDS', 5, 1, 3600),
    },
    metricsToken: token(env, 'METRICS_TOKEN'),
    backup: backupConfig(env, cwd),
  };
}

function ensConfig(env: Env): EnsConfig {
  const resolver = env.ENS_UNIVERSAL_RESOLVER?.trim();
  if (resolver && !/^0x[0-9a-fA-F]{40}$/.test(resolver))
    throw new ConfigError(
      `ENS_UNIVERSAL_RESOLVER must be a contract address (0x and 40 hex digits), got '${resolver}'`,
    );
  return {
    rpcUrl: url(env, 'ENS_RPC_URL', ['http:', 'https:']) ?? rpcUrls(env)[1],
    universalResolver: resolver ? (resolver.toLowerCase() as `0x${string}`) : undefined,
    ttlSeconds: integer(env, 'ENS_TTL_SECONDS', 24 * 3600, 60, 365 * 24 * 3600),
    timeoutMs: integer(env, 'ENS_TIMEOUT_MS', 1500, 100, 60_000),
  };
}

function backupConfig(env: Env, cwd: string): BackupConfig {
  const dir = env.BACKUP_DIR?.trim() ? path.resolve(cwd, env.BACKUP_DIR.trim()) : undefined;
  const schedule = backupSchedule(env, 'BACKUP_SCHEDULE');
  if (schedule.kind !== 'off' && !dir)
    throw new ConfigError('BACKUP_SCHEDULE is set but BACKUP_DIR is not: name the directory scheduled backups go to');
  return {
    dir,
    schedule,
    keep: {
      daily: integer(env, 'BACKUP_KEEP_DAILY', 30, 0, 3650),
      weekly: integer(env, 'BACKUP_KEEP_WEEKLY', 12, 0, 520),
      monthly: integer(env, 'BACKUP_KEEP_MONTHLY', 12, 0, 1200),
    },
  };
}

/** A bearer token an operator chose: unset, or at least 16 characters with no spaces. */
function token(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.length < 16 || /\s/.test(raw))
    throw new ConfigError(`${name} must be at least 16 characters without spaces (e.g. openssl rand -hex 24)`);
  return raw;
}
