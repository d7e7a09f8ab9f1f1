import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/errors.ts';

describe('loadConfig', () => {
  it('has working defaults: port 8000, embedded database in ./data', () => {
    expect(loadConfig({}, '/srv/portal')).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: path.resolve('/srv/portal/data'),
      logLevel: 'info',
      redisUrl: undefined,
      corsOrigins: [],
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u:p@db:5432/x',
        DATA_DIR: 'state',
        LOG_LEVEL: 'debug',
        REDIS_URL: 'redis://cache:6379',
        CORS_ORIGINS: 'https://a.example, https://b.example',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u:p@db:5432/x',
      dataDir: path.resolve('/srv/state'),
      logLevel: 'debug',
      redisUrl: 'redis://cache:6379',
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it('Snapshot hub: public endpoint, no key, 90 requests a minute unless set', () => {
    expect(loadConfig({}).snapshot).toEqual({
      hubUrl: 'https://hub.snapshot.org/graphql',
      apiKey: undefined,
      rateLimit: 90,
    });
    expect(
      loadConfig({
        SNAPSHOT_HUB_URL: 'http://127.0.0.1:3000/graphql',
        SNAPSHOT_API_KEY: ' k3y ',
        SNAPSHOT_RATE_LIMIT: '600',
      }).snapshot,
    ).toEqual({ hubUrl: 'http://127.0.0.1:3000/graphql', apiKey: 'k3y', rateLimit: 600 });
  });

  it('reads chain settings: RPC_URL_<chainId> per chain, CONFIRMATIONS, PRICE_API_URL', () => {
    expect(loadConfig({}, '/srv')).toMatchObject({
      rpcUrls: {},
      confirmations: 12,
      priceApiUrl: 'https://coins.llama.fi',
    });
    const config = loadConfig(
      {
        RPC_URL_1: 'https://eth.example/rpc',
        RPC_URL_31337: 'http://127.0.0.1:8545',
        CONFIRMATIONS: '0',
        PRICE_API_URL: 'http://prices.local:9000/',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      rpcUrls: { 1: 'https://eth.example/rpc', 31337: 'http://127.0.0.1:8545' },
      confirmations: 0,
      priceApiUrl: 'http://prices.local:9000',
    });
  });

  it.each([
    [
      { SNAPSHOT_HUB_URL: 'hub.snapshot.org' },
      "SNAPSHOT_HUB_URL must be a URL like https://host:port/..., got 'hub.snapshot.org'",
    ],
    [{ SNAPSHOT_HUB_URL: 'ftp://hub/graphql' }, "SNAPSHOT_HUB_URL must use https: or http:, got 'ftp:'"],
    [{ SNAPSHOT_RATE_LIMIT: '0' }, "SNAPSHOT_RATE_LIMIT must be an integer from 1 to 100000, got '0'"],
    [{ SNAPSHOT_RATE_LIMIT: 'fast' }, "SNAPSHOT_RATE_LIMIT must be an integer from 1 to 100000, got 'fast'"],
    [
      { RPC_URL_mainnet: 'https://eth.example' },
      "RPC_URL_mainnet: the suffix must be a decimal chain id like RPC_URL_1, got 'mainnet'",
    ],
    [{ RPC_URL_1: 'wss://eth.example' }, "RPC_URL_1 must use http: or https:, got 'wss:'"],
    [{ CONFIRMATIONS: '-1' }, "CONFIRMATIONS must be an integer from 0 to 10000, got '-1'"],
    [{ PRICE_API_URL: 'prices' }, "PRICE_API_URL must be a URL like http://host:port/..., got 'prices'"],
    [{ PORT: '70000' }, "PORT must be an integer from 0 to 65535, got '70000'"],
    [{ PORT: '80.5' }, "PORT must be an integer from 0 to 65535, got '80.5'"],
    [{ DATABASE_URL: 'not a url' }, "DATABASE_URL must be a URL like postgres://host:port/..., got 'not a url'"],
    [{ REDIS_URL: 'http://cache' }, "REDIS_URL must use redis: or rediss:, got 'http:'"],
    [
      { LOG_LEVEL: 'verbose' },
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'",
    ],
    [
      { CORS_ORIGINS: 'https://a.example/path' },
      "CORS_ORIGINS must be '*' or a comma-separated list of origins like https://example.org, got 'https://a.example/path'",
    ],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 bytes, got 5'],
    [{ PUBLIC_READ: 'maybe' }, "PUBLIC_READ must be true or false, got 'maybe'"],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, "RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000, got '0'"],
    [
      { ALLOWED_HOSTS: 'ok.example, bad host' },
      "ALLOWED_HOSTS must be host names like portal.example.org or *.example.org, got 'bad host'",
    ],
    [{ NODE_ENV: 'staging' }, "NODE_ENV must be one of production, development, test, got 'staging'"],
    [
      { METRICS_TOKEN: 'short' },
      'METRICS_TOKEN must be at least 16 characters without spaces (e.g. openssl rand -hex 24)',
    ],
    [
      { NODE_ENV: 'production', PUBLIC_READ: 'true' },
      'JWT_SECRET must be set in production (at least 32 bytes, e.g. openssl rand -base64 48)',
    ],
    [
      { NODE_ENV: 'production', PUBLIC_READ: 'true', JWT_SECRET: 'x'.repeat(32), CORS_ORIGINS: '*' },
      "CORS_ORIGINS must not be '*' in production: list the origins that may call the API",
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) },
      'PUBLIC_READ must be set in production: true (anyone may read the API) or false (every route needs a role)',
    ],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it('reads the access settings; production accepts them when stated', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 's'.repeat(40),
      SECRETS_KEY: 'k'.repeat(40),
      PUBLIC_READ: 'false',
      COOKIE_SECURE: 'true',
      RATE_LIMIT_PER_MINUTE: '250',
      PUBLIC_URL: 'https://Portal.Example.org/',
      ALLOWED_HOSTS: 'alt.example.org, *.internal.example',
      DAO_PORTAL_API_KEY: 'dp_key',
    });
    expect(config).toMatchObject({
      production: true,
      allowedHosts: ['portal.example.org', 'alt.example.org', '*.internal.example'],
      auth: {
        jwtSecret: 's'.repeat(40),
        publicRead: false,
        cookieSecure: true,
        rateLimitPerMinute: 250,
        cliApiKey: 'dp_key',
      },
    });
    expect(loadConfig({}).auth).toMatchObject({
      jwtSecret: undefined,
      publicRead: true,
      cookieSecure: undefined,
      rateLimitPerMinute: 100,
    });
  });

  it('reads the notification settings, naming a bad one', () => {
    const config = loadConfig({
      SECRETS_KEY: 'k'.repeat(32),
      OUTBOUND_ALLOW: '10.0.0.0/8, hooks.internal:8080',
      SMTP_URL: 'smtp://user:pw@mail.internal:587',
      SMTP_FROM: 'Portal <portal@example.org>',
      TELEGRAM_BOT_TOKEN: '1:abc',
      TELEGRAM_API_URL: 'http://127.0.0.1:9/',
      ALERT_CHANNELS:
        'slack:https://hooks.slack.com/services/T/B/x, email:ops@example.org, webhook:https://ops.example.org/h|0123456789abcdef',
      NOTIFY_ATTEMPTS: '3',
    });
    expect(config.notify).toMatchObject({
      secretsKey: 'k'.repeat(32),
      outboundAllow: [
        { kind: 'cidr', cidr: '10.0.0.0/8' },
        { kind: 'hostport', host: 'hooks.internal', port: 8080 },
      ],
      smtpUrl: 'smtp://user:pw@mail.internal:587',
      smtpFrom: 'Portal <portal@example.org>',
      telegramApiUrl: 'http://127.0.0.1:9',
      alertChannels: [
        { kind: 'slack', target: 'https://hooks.slack.com/services/T/B/x', secret: undefined },
        { kind: 'email', target: 'ops@example.org', secret: undefined },
        { kind: 'webhook', target: 'https://ops.example.org/h', secret: '0123456789abcdef' },
      ],
      attempts: 3,
    });
    expect(loadConfig({}).notify).toMatchObject({
      secretsKey: undefined,
      telegramApiUrl: 'https://api.telegram.org',
      attempts: 8,
    });
    for (const [env, message] of [
      [
        { NODE_ENV: 'production', PUBLIC_READ: 'true', JWT_SECRET: 'x'.repeat(32) },
        /^SECRETS_KEY must be set in production/,
      ],
      [{ SECRETS_KEY: 'short' }, /^SECRETS_KEY must be at least 32 bytes/],
      [{ OUTBOUND_ALLOW: '10.0.0.0/40' }, /^OUTBOUND_ALLOW: '10\.0\.0\.0\/40'/],
      [{ OUTBOUND_ALLOW: 'just-a-name' }, /^OUTBOUND_ALLOW: 'just-a-name'/],
      [{ SMTP_URL: 'http://mail' }, /^SMTP_URL must use smtp: or smtps:/],
      [{ ALERT_CHANNELS: 'pager:123' }, /^ALERT_CHANNELS: 'pager:123'/],
      [{ NOTIFY_ATTEMPTS: '0' }, /^NOTIFY_ATTEMPTS must be an integer/],
    ] as const) {
      expect(() => loadConfig(env as Record<string, string>), JSON.stringify(env)).toThrow(message);
    }
  });
});
