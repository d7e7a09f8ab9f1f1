import { ValidationError } from '../../errors.ts';

/**
 * A DAO's `chain` is a name ("ethereum", "arbitrum", …) or a decimal chain id. These are the
 * names we know, with the chain's name in DefiLlama's coins API and its native coin's symbol.
 */
interface ChainInfo {
  id: number;
  llama: string;
  native: string;
}

const KNOWN: Record<string, ChainInfo> = {
  ethereum: { id: 1, llama: 'ethereum', native: 'ETH' },
  mainnet: { id: 1, llama: 'ethereum', native: 'ETH' },
  optimism: { id: 10, llama: 'optimism', native: 'ETH' },
  bsc: { id: 56, llama: 'bsc', native: 'BNB' },
  gnosis: { id: 100, llama: 'xdai', native: 'XDAI' },
  polygon: { id: 137, llama: 'polygon', native: 'POL' },
  base: { id: 8453, llama: 'base', native: 'ETH' },
  arbitrum: { id: 42161, llama: 'arbitrum', native: 'ETH' },
  avalanche: { id: 43114, llama: 'avax', native: 'AVAX' },
  sepolia: { id: 11155111, llama: 'sepolia', native: 'ETH' },
  hardhat: { id: 31337, llama: 'hardhat', native: 'ETH' },
};

const BY_ID = new Map(Object.values(KNOWN).map((c) => [c.id, c]));

export function chainInfo(chain: string): ChainInfo {
  const key = chain.trim().toLowerCase();
  const known = KNOWN[key];
  if (known) return known;
  if (/^[1-9]\d{0,15}$/.test(key)) {
    const id = Number(key);
    return BY_ID.get(id) ?? { id, llama: key, native: 'ETH' };
  }
  throw new ValidationError(
    `chain '${chain}' is neither a known chain name (${Object.keys(KNOWN).join(', ')}) nor a chain id`,
  );
}

/** The RPC endpoint configured for a DAO's chain. */
export function rpcUrlFor(rpcUrls: Record<number, string>, chain: string): string {
  const { id } = chainInfo(chain);
  const url = rpcUrls[id];
  if (!url) throw new ValidationError(`no RPC endpoint for chain ${id} ('${chain}'): set RPC_URL_${id}`);
  return url;
}

/** Whether a DAO's chain has an RPC endpoint configured (unknown chain names have none). */
export function hasRpcFor(rpcUrls: Record<number, string>, chain: string): boolean {
  try {
    return Boolean(rpcUrls[chainInfo(chain).id]);
  } catch {
    return false;
  }
}
