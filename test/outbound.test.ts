import dns from 'node:dns';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../src/config/index.ts';
import { OutboundRefusedError } from '../src/errors.ts';
import { addressRefusal, Outbound } from '../src/net/outbound.ts';
import { type Receiver, startReceiver } from './helpers/receivers.ts';

/**
 * The SSRF rules of src/net/outbound.ts against real sockets on 127.0.0.1: literal addresses in
 * every spelling, names resolving to refused addresses through a local DNS server, a redirect to a
 * private address, a rebinding name, and the OUTBOUND_ALLOW escape hatch.
 */

// Every literal spelling of a refused address, with the range it is refused as.
const LITERALS: [string, RegExp][] = [
  ['http://127.0.0.1/', /loopback/],
  ['http://127.1/', /loopback/],
  ['http://2130706433/', /loopback/],
  ['http://0177.0.0.1/', /loopback/],
  ['http://0x7f000001/', /loopback/],
  ['http://0x7f.0.0.1/', /loopback/],
  ['http://127.0.0.1./', /loopback/],
  ['http://0/', /unspecified/],
  ['http://0.0.0.0/', /unspecified/],
  ['http://10.0.0.1/', /private/],
  ['http://10.255.255.255/', /private/],
  ['http://172.16.0.1/', /private/],
  ['http://172.31.255.254/', /private/],
  ['http://192.168.1.1/', /private/],
  ['http://169.254.169.254/latest/meta-data/', /linkLocal/],
  ['http://100.64.0.1/', /carrierGradeNat/],
  ['http://100.127.255.254/', /carrierGradeNat/],
  ['http://224.0.0.1/', /multicast/],
  ['http://255.255.255.255/', /broadcast/],
  ['http://192.0.2.1/', /reserved/],
  ['http://240.0.0.1/', /reserved/],
  ['http://[::1]/', /loopback/],
  ['http://[::]/', /unspecified/],
  ['http://[::ffff:127.0.0.1]/', /loopback/],
  ['http://[::ffff:7f00:1]/', /loopback/],
  ['http://[::ffff:169.254.169.254]/', /linkLocal/],
  ['http://[::ffff:10.0.0.1]/', /private/],
  ['http://[fe80::1]/', /linkLocal/],
  ['http://[fc00::1]/', /uniqueLocal/],
  ['http://[fd12:3456::1]/', /uniqueLocal/],
  ['http://[ff02::1]/', /multicast/],
  ['http://[64:ff9b::7f00:1]/', /NAT64.*loopback/],
  ['http://[64:ff9b::a9fe:a9fe]/', /NAT64.*linkLocal/],
  ['http://[2002:7f00:1::]/', /6to4 loopback/],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /teredo/],
  ['http://localhost/', /loopback name/],
  ['http://LOCALHOST./', /loopback name/],
  ['http://api.localhost/', /loopback name/],
];

describe('outbound requests to user-set URLs', () => {
  let dnsServer: ReturnType<typeof dns2.createServer>;
  let resolver: dns.promises.Resolver;
  let queries: string[] = [];
  // The rebinding name answers 127.0.0.2 (allowed below) first, then 127.0.0.1 (not allowed).
  let rebindCount = 0;
  let allowed: Receiver;
  let secret: Receiver;

  beforeAll(async () => {
    const answers: Record<string, () => string[]> = {
      'loopback.test': () => ['127.0.0.1'],
      'private.test': () => ['10.1.2.3'],
      'metadata.test': () => ['169.254.169.254'],
      'mixed.test': () => ['93.184.216.34', '127.0.0.1'],
      'allowed.test': () => ['127.0.0.2'],
      'rebind.test': () => [rebindCount++ % 2 === 0 ? '127.0.0.2' : '127.0.0.1'],
    };
    dnsServer = dns2.createServer({
      udp: true,
      handle: (request, send) => {
        const response = dns2.Packet.createResponseFromRequest(request);
        const [question] = request.questions;
        const name = question?.name.toLowerCase() ?? '';
        queries.push(name);
        if (question && question.type === dns2.Packet.TYPE.A && answers[name]) {
          for (const address of answers[name]())
            response.answers.push({
              name,
              type: dns2.Packet.TYPE.A,
              class: dns2.Packet.CLASS.IN,
              ttl: 0,
              address,
            } as unknown as (typeof response.answers)[number]);
        }
        send(response);
      },
    });
    const addresses = (await dnsServer.listen({ udp: { port: 0, address: '127.0.0.1' } })) as {
      udp: { port: number };
    };
    resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${addresses.udp.port}`]);
    // The receiver the allow list admits listens on 127.0.0.2; a "secret" service on 127.0.0.1 shares its port.
    allowed = await startReceiver(undefined, { host: '127.0.0.2' });
    secret = await startReceiver(undefined, { host: '127.0.0.1', port: allowed.port });
  });
  afterAll(async () => {
    await dnsServer?.close();
    await allowed?.close();
    await secret?.close();
  });

  const resolve = async (host: string) => (await resolver.resolve4(host)).map((address) => ({ address, family: 4 }));

  it('refuses every literal spelling of a refused address, before any connection', async () => {
    const outbound = new Outbound({ resolve, timeoutMs: 2000 });
    for (const [url, reason] of LITERALS) {
      expect(() => outbound.checkUrl(url), url).toThrow(OutboundRefusedError);
      expect(() => outbound.checkUrl(url), url).toThrow(reason);
      await expect(outbound.request(url), url).rejects.toThrow(OutboundRefusedError);
    }
    expect(secret.hits).toHaveLength(0);
    console.log(`SSRF literal cases refused: ${LITERALS.length}`);
  });

  it('refuses other schemes and credentials in the URL', () => {
    const outbound = new Outbound({ resolve });
    for (const url of [
      'file:///etc/passwd',
      'gopher://example.org/',
      'ftp://example.org/',
      'javascript:alert(1)',
      'not a url',
    ])
      expect(() => outbound.checkUrl(url), url).toThrow(OutboundRefusedError);
    expect(() => outbound.checkUrl('https://user:pw@example.org/')).toThrow(/user name or password/);
    expect(() => outbound.checkUrl('https://hooks.slack.com/services/T0/B0/x')).not.toThrow();
  });

  it('judges addresses as public unicast or refused', () => {
    expect(addressRefusal('93.184.216.34')).toBeNull();
    expect(addressRefusal('2606:4700::1111')).toBeNull();
    expect(addressRefusal('64:ff9b::5db8:d822')).toBeNull(); // NAT64 of a public address
    expect(addressRefusal('::ffff:93.184.216.34')).toBeNull();
    expect(addressRefusal('172.32.0.1')).toBeNull(); // just outside 172.16/12
    expect(addressRefusal('100.128.0.1')).toBeNull(); // just outside 100.64/10
  });

  it('refuses names that resolve to refused addresses (one of several is enough), asking the resolver once', async () => {
    const outbound = new Outbound({ resolve, timeoutMs: 2000 });
    for (const [name, reason] of [
      ['loopback.test', /loopback/],
      ['private.test', /private/],
      ['metadata.test', /linkLocal/],
      ['mixed.test', /127\.0\.0\.1.*loopback/],
    ] as const) {
      queries = [];
      await expect(outbound.request(`http://${name}:${secret.port}/`), name).rejects.toThrow(reason);
      expect(
        queries.filter((q) => q === name),
        name,
      ).toHaveLength(1);
    }
    expect(secret.hits).toHaveLength(0);
  });

  it('refuses localhost through the system resolver too', async () => {
    const outbound = new Outbound({ timeoutMs: 2000 });
    await expect(outbound.request(`http://localhost:${secret.port}/`)).rejects.toThrow(/loopback/);
    expect(secret.hits).toHaveLength(0);
  });

  it('reaches an OUTBOUND_ALLOWed receiver, by CIDR and by host:port', async () => {
    const byCidr = new Outbound({ resolve, allow: parseAllowList('127.0.0.2/32'), timeoutMs: 2000 });
    expect((await byCidr.request(`http://allowed.test:${allowed.port}/a`)).status).toBe(200);
    expect((await byCidr.request(`http://127.0.0.2:${allowed.port}/b`)).status).toBe(200);
    const byHostPort = new Outbound({ allow: parseAllowList(`127.0.0.1:${secret.port}`), timeoutMs: 2000 });
    expect((await byHostPort.request(`http://127.0.0.1:${secret.port}/c`)).status).toBe(200);
    // Another port of the same host is still refused.
    await expect(byHostPort.request(`http://127.0.0.1:${allowed.port + 1}/`)).rejects.toThrow(/loopback/);
    expect(allowed.hits.map((h) => h.url)).toEqual(['/a', '/b']);
    expect(secret.hits.map((h) => h.url)).toEqual(['/c']);
    secret.hits.length = 0;
    allowed.hits.length = 0;
  });

  it('connects to the address it checked: a rebinding name gets no second lookup', async () => {
    const outbound = new Outbound({ resolve, allow: parseAllowList('127.0.0.2/32'), timeoutMs: 2000 });
    rebindCount = 0;
    let reached = 0;
    let refused = 0;
    for (let i = 0; i < 6; i++) {
      queries = [];
      try {
        const response = await outbound.request(`http://rebind.test:${allowed.port}/rebind-${i}`);
        expect(response.status).toBe(200);
        reached++;
      } catch (error) {
        expect(error).toBeInstanceOf(OutboundRefusedError);
        expect((error as Error).message).toMatch(/127\.0\.0\.1.*loopback/);
        refused++;
      }
      expect(queries.filter((q) => q === 'rebind.test')).toHaveLength(1);
    }
    // Each request asked once: the allowed answer was used to connect, the refused one stopped it.
    expect(reached).toBe(3);
    expect(refused).toBe(3);
    expect(allowed.hits).toHaveLength(3);
    expect(secret.hits).toHaveLength(0);
  });

  it('checks every redirect hop and follows at most 3', async () => {
    const redirector = await startReceiver(
      (hit, res) => {
        const m = /^\/hop\/(\d+)$/.exec(hit.url);
        if (hit.url === '/to-private')
          return void res.writeHead(302, { location: `http://127.0.0.1:${secret.port}/x` }).end();
        if (hit.url === '/to-metadata')
          return void res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        if (hit.url === '/to-decimal') return void res.writeHead(301, { location: 'http://2130706433/' }).end();
        if (hit.url === '/to-file') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        if (m) return void res.writeHead(302, { location: `/hop/${Number(m[1]) + 1}` }).end();
        res.writeHead(200).end('ok');
      },
      { host: '127.0.0.2' },
    );
    try {
      const outbound = new Outbound({ resolve, allow: parseAllowList('127.0.0.2/32'), timeoutMs: 2000 });
      for (const path of ['/to-private', '/to-metadata', '/to-decimal', '/to-file'])
        await expect(outbound.request(`${redirector.url}${path}`), path).rejects.toThrow(OutboundRefusedError);
      expect(secret.hits).toHaveLength(0);
      // Three hops are followed; a fourth is refused.
      const three = await startReceiver(undefined, { host: '127.0.0.2' });
      await three.close();
      await expect(outbound.request(`${redirector.url}/hop/0`)).rejects.toThrow(/more than 3 times/);
      expect(redirector.hits.filter((h) => h.url.startsWith('/hop/')).map((h) => h.url)).toEqual([
        '/hop/0',
        '/hop/1',
        '/hop/2',
        '/hop/3',
      ]);
    } finally {
      await redirector.close();
    }
  });

  it('gives up on a receiver that never answers, at its deadline', async () => {
    const silent = await startReceiver(() => {}, { host: '127.0.0.2' });
    try {
      const outbound = new Outbound({ allow: parseAllowList('127.0.0.2/32'), timeoutMs: 300 });
      const started = Date.now();
      await expect(outbound.request(silent.url)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await silent.close();
    }
  });

  it('reads OUTBOUND_ALLOW and names a bad entry', () => {
    expect(parseAllowList('10.0.0.0/8, fd00::/8,192.168.1.5,hooks.internal:8080,[fd00::5]:443')).toEqual([
      { kind: 'cidr', cidr: '10.0.0.0/8' },
      { kind: 'cidr', cidr: 'fd00::/8' },
      { kind: 'cidr', cidr: '192.168.1.5' },
      { kind: 'hostport', host: 'hooks.internal', port: 8080 },
      { kind: 'hostport', host: 'fd00::5', port: 443 },
    ]);
    expect(() => parseAllowList('10.0.0.0/99')).toThrow(/OUTBOUND_ALLOW.*10\.0\.0\.0\/99/);
    expect(() => parseAllowList('hooks.internal')).toThrow(/OUTBOUND_ALLOW/);
  });
});
