import { ValidationError } from '../../errors.ts';

/**
 * A DAO's `chain` is a name ("ethereum", "arbitrum", …) or a decimal chain id. These are the
 * names we know, with the chain's name in DefiLlama's coins API and its native coin's symbol.
 */
interface ChainInfo {
  id: number;
  llama: string;
  native: string;
  /** The chain's block explorer (Etherscan family), where there is a public one. */
  explorer?: string;
}

const KNOWN: Record<string, ChainInfo> = {
  ethereum: { id: 1, llama: 'ethereum', native: 'ETH', explorer: 'https://etherscan.io' },
  mainnet: { id: 1, llama: 'ethereum', native: 'ETH', explorer: 'https://etherscan.io' },
  optimism: { id: 10, llama: 'optimism', native: 'ETH', explorer: 'https://optimistic.etherscan.io' },
  bsc: { id: 56, llama: 'bsc', native: 'BNB', explorer: 'https://bscscan.com' },
  gnosis: { id: 100, llama: 'xdai', native: 'XDAI', explorer: 'https://gnosisscan.io' },
  polygon: { id: 137, llama: 'polygon', native: 'POL', explorer: 'https://polygonscan.com' },
  base: { id: 8453, llama: 'base', native: 'ETH', explorer: 'https://basescan.org' },
  arbitrum: { id: 42161, llama: 'arbitrum', native: 'ETH', explorer: 'https://arbiscan.io' },
  avalanche: { id: 43114, llama: 'avax', native: 'AVAX', explorer: 'https://snowtrace.io' },
  sepolia: { id: 11155111, llama: 'sepolia', native: 'ETH', explorer: 'https://sepolia.etherscan.io' },
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

/** A transaction on the chain's block explorer, or null for a chain without a known public explorer. */
export function explorerTxUrl(chain: string, txHash: string): string | null {
  try {
    const { explorer } = chainInfo(chain);
    return explorer ? `${explorer}/tx/${txHash}` : null;
  } catch {
    return null;
  }
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
