import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import type { AllowRule } from '../config/index.ts';
import { OutboundRefusedError } from '../errors.ts';

/**
 * The one way to call a URL a user can set (webhooks today; hub, RPC and price URLs if they become
 * user-settable). It refuses what server-side request forgery would aim at:
 * - any scheme but http and https;
 * - hosts that are, or resolve to, loopback, private (10/8, 172.16/12, 192.168/16), link-local
 *   (169.254/16 with the cloud metadata address, fe80::/10), CGNAT (100.64/10), multicast,
 *   broadcast, unspecified (0.0.0.0, ::), reserved and documentation ranges, unique-local
 *   (fc00::/7), site-local, and IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
 *   NAT64 64:ff9b::/96, 6to4, Teredo) when the embedded address is refused;
 * - every spelling of those: the WHATWG URL parser turns decimal (2130706433), octal (0177.0.0.1),
 *   hex (0x7f000001), short (127.1, 0) forms and trailing dots into dotted IPv4 before the check,
 *   and names under `localhost` are refused before any lookup.
 * A name is resolved once, inside the connection's own lookup: every address it resolves to is
 * checked and the socket connects only to those checked addresses, so a rebinding name gets no
 * second lookup to change its answer. Redirects are followed by hand (at most 3), each hop checked
 * again; every request has a deadline. OUTBOUND_ALLOW (CIDRs, or host:port) lets a self-hoster
 * reach their own private hosts.
 */

export interface OutboundOptions {
  /** OUTBOUND_ALLOW, parsed by the configuration. */
  allow?: readonly AllowRule[];
  /** Resolves a name to all its addresses (default: the system resolver, as `dns.lookup` with all). */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
  /** Deadline of each request, connection to last body byte (default 10 s). */
  timeoutMs?: number;
  /** Largest response body kept, in bytes; the rest is discarded (default 64 KiB). */
  maxBodyBytes?: number;
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Operator-set URLs (TELEGRAM_API_URL): deadlines and redirects as usual, no address rules. */
  trusted?: boolean;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The URL that answered, after redirects. */
  url: string;
}

export const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface ParsedRule {
  cidr?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  host?: string;
  port?: number;
}

export class Outbound {
  private readonly rules: ParsedRule[];
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly resolve: NonNullable<OutboundOptions['resolve']>;

  constructor(options: OutboundOptions = {}) {
    this.rules = (options.allow ?? []).map((rule) =>
      rule.kind === 'cidr' ? { cidr: parseCidr(rule.cidr) } : { host: normalHost(rule.host), port: rule.port },
    );
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.resolve = options.resolve ?? ((hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true }));
  }

  /**
   * Checks what can be checked without a lookup: the URL's syntax and scheme, a literal address,
   * a localhost name. Throws OutboundRefusedError naming `field`. Returns the parsed URL.
   */
  checkUrl(raw: string, field = 'target'): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundRefusedError('is not a URL like https://host/path', field);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefusedError(`must use http or https, not ${url.protocol.replace(/:$/, '')}`, field);
    if (url.username || url.password) throw new OutboundRefusedError('must not carry a user name or password', field);
    const host = normalHost(url.hostname);
    if (!host) throw new OutboundRefusedError('has no host', field);
    const port = portOf(url);
    if (this.hostAllowed(host, port)) return url;
    if (ipaddr.isValid(host)) {
      const reason = addressRefusal(host);
      if (reason && !this.addressAllowed(host)) throw new OutboundRefusedError(refusedText(host, reason), field);
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new OutboundRefusedError(`${host} is a loopback name`, field);
    } else if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)) {
      throw new OutboundRefusedError(`${host} is not a host name`, field);
    }
    return url;
  }

  /** Resolves the URL's host once and checks every address (what the connection does), for up-front validation. */
  async checkResolved(raw: string, field = 'target'): Promise<void> {
    const url = this.checkUrl(raw, field);
    const host = normalHost(url.hostname);
    if (ipaddr.isValid(host) || this.hostAllowed(host, portOf(url))) return;
    await this.lookupChecked(host, portOf(url), field);
  }

  /** Sends one request, following at most MAX_REDIRECTS redirects, each hop checked as the first. */
  async request(raw: string, init: OutboundRequest = {}): Promise<OutboundResponse> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    let url = init.trusted ? new URL(raw) : this.checkUrl(raw);
    let method = init.method ?? 'GET';
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await this.once(url, { ...init, method, body }, deadline);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.status) || !location) return response;
      if (hop >= MAX_REDIRECTS)
        throw new OutboundRefusedError(`redirected more than ${MAX_REDIRECTS} times (last to ${location})`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new OutboundRefusedError(`redirected to an invalid URL (${location.slice(0, 200)})`);
      }
      url = init.trusted ? next : this.checkUrl(next.toString(), 'redirect');
      // 303, and 301/302 after a POST, continue as a GET without the body (as browsers do).
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  private async once(url: URL, init: OutboundRequest, deadline: AbortSignal): Promise<OutboundResponse> {
    const host = normalHost(url.hostname);
    const port = portOf(url);
    const lookup: LookupFunction = (hostname, options, callback) => {
      const all = (options as { all?: boolean }).all === true;
      const checked = init.trusted
        ? this.resolve(hostname)
        : this.hostAllowed(host, port)
          ? this.resolve(hostname)
          : this.lookupChecked(normalHost(hostname), port, 'target');
      checked.then(
        (addresses) => {
          if (all) (callback as (e: null, a: typeof addresses) => void)(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
      );
    };
    const agent = new Agent({
      connect: { lookup, timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connections: 1,
      pipelining: 0,
    });
    try {
      const response = await request(url, {
        dispatcher: agent,
        method: init.method ?? 'GET',
        headers: { 'user-agent': 'dao-portal', ...(init.headers ?? {}) },
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: deadline,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        if (size < this.maxBodyBytes) chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return {
        status: response.statusCode,
        headers,
        body: Buffer.concat(chunks).subarray(0, this.maxBodyBytes).toString('utf8'),
        url: url.toString(),
      };
    } catch (error) {
      const refused = refusalIn(error);
      if (refused) throw refused;
      throw error;
    } finally {
      await agent.destroy().catch(() => {});
    }
  }

  /** Resolves `host` once; every address must pass (or be allowed), else the whole name is refused. */
  private async lookupChecked(host: string, port: number, field: string) {
    let addresses: { address: string; family: number }[];
    try {
      addresses = await this.resolve(host);
    } catch (error) {
      throw new OutboundRefusedError(
        `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        field,
      );
    }
    if (!addresses.length) throw new OutboundRefusedError(`${host} does not resolve`, field);
    for (const { address } of addresses) {
      if (this.hostAllowed(address, port) || this.addressAllowed(address)) continue;
      const reason = addressRefusal(address);
      if (reason) throw new OutboundRefusedError(`${host} resolves to ${refusedText(address, reason)}`, field);
    }
    return addresses;
  }

  private addressAllowed(address: string): boolean {
    const parsed = ipaddr.process(address);
    return this.rules.some((rule) => rule.cidr && parsed.kind() === rule.cidr[0].kind() && parsed.match(rule.cidr));
  }

  private hostAllowed(host: string, port: number): boolean {
    const h = ipaddr.isValid(host) ? ipaddr.process(host).toString() : host;
    return this.rules.some((rule) => rule.host !== undefined && rule.host === h && rule.port === port);
  }
}

const refusedText = (address: string, reason: string) =>
  `${address}, a ${reason} address this server does not call (OUTBOUND_ALLOW admits private hosts)`;

/** The hostname as compared: lowercase, brackets and a trailing dot removed, addresses in canonical form. */
function normalHost(hostname: string): string {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '');
  return ipaddr.isValid(host) ? ipaddr.process(host).toString() : host;
}

const portOf = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

function parseCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (text.includes('/')) {
    return ipaddr.parseCIDR(text);
  }
  const address = ipaddr.process(text);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/**
 * Why an address is refused, or null for a public unicast address. IPv4-mapped addresses are
 * judged as the IPv4 address they carry; NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 and the
 * rfc6145 form likewise by their embedded IPv4 address; Teredo is refused outright.
 */
export function addressRefusal(text: string): string | null {
  if (!ipaddr.isValid(text)) return 'malformed';
  const address = ipaddr.process(text);
  if (address.kind() === 'ipv4') {
    const range = address.range();
    return range === 'unicast' ? null : range;
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  const parts = v6.parts;
  const embedded = (hi: number, lo: number) => addressRefusal(`${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`);
  switch (range) {
    case 'unicast':
      return null;
    case 'rfc6052':
    case 'rfc6145': {
      const inner = embedded(parts[6]!, parts[7]!);
      return inner ? `${range} (NAT64) ${inner}` : null;
    }
    case '6to4': {
      const inner = embedded(parts[1]!, parts[2]!);
      return inner ? `6to4 ${inner}` : null;
    }
    default:
      return range;
  }
}

function refusalIn(error: unknown): OutboundRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof OutboundRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
