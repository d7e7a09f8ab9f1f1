import {
  type Address,
  type CcipRequestParameters,
  createPublicClient,
  getAddress,
  type Hex,
  http,
  isHex,
  type PublicClient,
} from 'viem';
import { mainnet } from 'viem/chains';
import { getEnsAddress, getEnsName, getEnsText, normalize } from 'viem/ens';
import type { Outbound } from '../net/outbound.ts';
import { avatarUrl } from './avatar.ts';

/** What ENS says of an address: its primary name and the avatar the dashboard may show. */
export interface EnsRecord {
  name: string;
  avatar: string | null;
}

/** Looks an address up; null when it has no primary name, a rejection when the RPC could not answer. */
export interface EnsLookup {
  lookup(address: string): Promise<EnsRecord | null>;
}

export interface EnsResolverOptions {
  /** The operator's Ethereum JSON-RPC endpoint (ENS_RPC_URL or RPC_URL_1). */
  rpcUrl: string;
  /** The Universal Resolver to call; default viem's one of Ethereum mainnet. */
  universalResolver?: Address | undefined;
  /** Deadline of one JSON-RPC request. */
  requestTimeoutMs?: number;
  /**
   * The SSRF-checked client for CCIP-Read (EIP-3668) gateways: an off-chain name's resolver names
   * its gateway URLs, so they are anyone's URLs and go through the one outbound client.
   */
  outbound: Outbound;
  /** Aborts requests in flight (the process is closing). */
  signal?: AbortSignal;
}

/**
 * Reverse resolution with a forward check, through the ENS Universal Resolver as viem does it:
 * the address's primary name (ENSIP-19 `reverse`), kept only when it is already in normalised
 * form (ENSIP-15, @adraffy/ens-normalize through viem's `normalize`) and when the name's own
 * address record points back at the address; then the name's `avatar` text record (ENSIP-12),
 * reduced to a URL the dashboard may show.
 */
export class EnsResolver implements EnsLookup {
  /** HTTP requests sent to the RPC (a JSON-RPC batch counts once). */
  requests = 0;
  private readonly client: PublicClient;
  private readonly universalResolver: Address;

  constructor(options: EnsResolverOptions) {
    this.universalResolver = options.universalResolver ?? mainnet.contracts.ensUniversalResolver.address;
    this.client = createPublicClient({
      transport: http(options.rpcUrl, {
        retryCount: 0,
        timeout: options.requestTimeoutMs ?? 10_000,
        fetchOptions: options.signal ? { signal: options.signal } : {},
        onFetchRequest: () => void this.requests++,
      }),
      ccipRead: { request: (parameters) => ccipRequest(options.outbound, parameters) },
    });
  }

  async lookup(address: string): Promise<EnsRecord | null> {
    const universalResolverAddress = this.universalResolver;
    const name = await getEnsName(this.client, { address: getAddress(address), universalResolverAddress });
    if (!name || !isNormalised(name)) return null;
    const forward = await getEnsAddress(this.client, { name, universalResolverAddress });
    if (!forward || forward.toLowerCase() !== address.toLowerCase()) return null;
    const avatar = await getEnsText(this.client, { name, key: 'avatar', universalResolverAddress });
    return { name, avatar: avatarUrl(avatar) };
  }
}

/** A name that normalisation would change (or refuses) is not shown: it could imitate another. */
function isNormalised(name: string): boolean {
  try {
    return normalize(name) === name;
  } catch {
    return false;
  }
}

/** EIP-3668's client lookup (GET with {sender}/{data} in the URL, else POST), each URL in turn. */
async function ccipRequest(outbound: Outbound, { data, sender, urls }: CcipRequestParameters): Promise<Hex> {
  let failure: unknown = new Error('no CCIP-Read gateway URL');
  for (const url of urls) {
    const target = url.replace('{sender}', sender.toLowerCase()).replace('{data}', data);
    const post = !url.includes('{data}');
    try {
      const response = await outbound.request(target, {
        method: post ? 'POST' : 'GET',
        ...(post ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data, sender }) } : {}),
      });
      const result = (response.headers['content-type'] ?? '').startsWith('application/json')
        ? (JSON.parse(response.body) as { data?: unknown }).data
        : response.body;
      if (response.status >= 200 && response.status < 300 && typeof result === 'string' && isHex(result)) return result;
      failure = new Error(`CCIP-Read gateway ${new URL(target).host} answered ${response.status}`);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}
