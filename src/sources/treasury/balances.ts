import { type Address, formatUnits } from 'viem';
import { erc20Views } from '../evm/erc20.ts';
import type { ChainRpc } from '../evm/rpc.ts';

/**
 * Balances of the treasury wallets at one block: the native coin (eth_getBalance) and each listed
 * ERC-20 (balanceOf, symbol, decimals). All calls go out together, so the client sends them as
 * JSON-RPC batches (no Multicall3 deployment needed on the chain).
 */
export interface Balance {
  wallet: string;
  /** '' for the native coin. */
  token: string;
  symbol: string;
  amount: string;
}

export async function readBalances(
  rpc: ChainRpc,
  wallets: Address[],
  tokens: Address[],
  block: bigint,
  nativeSymbol: string,
): Promise<Balance[]> {
  const call = <T>(address: Address, functionName: 'symbol' | 'decimals' | 'balanceOf', args: unknown[] = []) =>
    rpc.retry(
      functionName,
      () =>
        rpc.client.readContract({
          address,
          abi: erc20Views,
          functionName,
          args,
          blockNumber: block,
        } as never) as Promise<T>,
    );
  const [natives, metas, amounts] = await Promise.all([
    Promise.all(
      wallets.map((wallet) =>
        rpc.retry('eth_getBalance', () => rpc.client.getBalance({ address: wallet, blockNumber: block })),
      ),
    ),
    Promise.all(
      tokens.map(async (token) => ({
        symbol: await call<string>(token, 'symbol'),
        decimals: Number(await call<number>(token, 'decimals')),
      })),
    ),
    Promise.all(
      tokens.map((token) => Promise.all(wallets.map((wallet) => call<bigint>(token, 'balanceOf', [wallet])))),
    ),
  ]);
  const out: Balance[] = [];
  wallets.forEach((wallet, w) => {
    out.push({ wallet, token: '', symbol: nativeSymbol, amount: formatUnits(natives[w]!, 18) });
    tokens.forEach((token, t) => {
      out.push({ wallet, token, symbol: metas[t]!.symbol, amount: formatUnits(amounts[t]![w]!, metas[t]!.decimals) });
    });
  });
  return out;
}
