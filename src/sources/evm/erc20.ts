import { parseAbi } from 'viem';

/** The ERC-20 views every on-chain source reads (token metadata and balances). */
export const erc20Views = parseAbi([
  'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
  'function balanceOf(address account) view returns (uint256)',
]);
