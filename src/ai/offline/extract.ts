import type { ExtractedAmount } from '../schema.ts';

/**
 * Entities a proposal summary has to get right, read from the text with patterns: amounts (with
 * their token, "USD", "%" or "bps"), token symbols, EVM addresses and durations. Every value is
 * the text as written (the tests check each appears in the body); values are deduplicated in
 * order of first appearance.
 */

export const ADDRESS = /\b0x[0-9a-fA-F]{40}\b/g;

/** Symbols of common assets, recognised even without an amount beside them. */
const KNOWN_TOKENS = new Set([
  'AAVE',
  'stkAAVE',
  'GHO',
  'stkGHO',
  'sGHO',
  'ETH',
  'WETH',
  'wstETH',
  'stETH',
  'rETH',
  'cbETH',
  'weETH',
  'ezETH',
  'rsETH',
  'osETH',
  'ETHx',
  'WBTC',
  'cbBTC',
  'tBTC',
  'LBTC',
  'BTC',
  'USDC',
  'USDT',
  'DAI',
  'sDAI',
  'USDS',
  'sUSDS',
  'USDe',
  'sUSDe',
  'FRAX',
  'LUSD',
  'crvUSD',
  'PYUSD',
  'RLUSD',
  'EURC',
  'EURe',
  'LINK',
  'CRV',
  'BAL',
  'UNI',
  'MKR',
  'SNX',
  'LDO',
  'RPL',
  'ARB',
  'OP',
  'MATIC',
  'POL',
  'AVAX',
  'BNB',
  'FXS',
  'GNO',
  'ENS',
  '1INCH',
  'COMP',
  'SUSHI',
  'METIS',
  'xDAI',
  'WXDAI',
  'S',
  'wS',
  'FBTC',
  'USDbC',
  'ZK',
  'MNT',
  'CELO',
  'SOL',
]);

/** Upper-case words proposal texts use that are not tokens. */
const NOT_TOKENS = new Set([
  'AIP',
  'ARFC',
  'TEMP',
  'CHECK',
  'DAO',
  'LTV',
  'LT',
  'LB',
  'RF',
  'CF',
  'TVL',
  'APY',
  'APR',
  'NFT',
  'DEX',
  'CEX',
  'TWAP',
  'RPC',
  'EOA',
  'UI',
  'URL',
  'TBD',
  'CAPO',
  'ERC',
  'EVM',
  'API',
  'BGD',
  'ACI',
  'TL',
  'DR',
  'II',
  'III',
  'IV',
  'V2',
  'V3',
  'V4',
  'AMM',
  'MEV',
  'KYC',
  'USD',
  'EUR',
  'FAQ',
  'PR',
  'ID',
  'IR',
  'UTC',
  'GMT',
  'FYI',
  'TLDR',
  'YES',
  'NAY',
  'YAE',
  'NO',
  'AND',
  'OR',
  'THE',
  'NOT',
  'FOR',
  'PSM',
  'ABI',
  'CCIP',
  'LP',
  'LPS',
  'DEFI',
  'CEO',
  'CTO',
  'OTC',
  'SLA',
  'KPI',
  'ROI',
  'Q1',
  'Q2',
  'Q3',
  'Q4',
  'H1',
  'H2',
  'MVP',
  'ETF',
  'RWA',
  'DAI_',
  'SVR',
  'PT',
  'YT',
  'HF',
  'SDK',
  'POC',
  'BD',
  'IRM',
  'E',
  'A',
  'I',
  'ARFCS',
  'AIPS',
  'TBA',
  'GHOST',
  'ETA',
  'OKR',
  'BPS',
  'BP',
  'X',
  'CC0',
  'CC',
  'MIT',
]);

const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const SCALE = String.raw`(?:[kKmMbB]\b|\s?(?:thousand|million|billion)\b)`;
const TOKEN = String.raw`\$?[a-z]{0,4}[A-Z][A-Za-z0-9]{0,9}`;
const CURRENCY_AMOUNT = new RegExp(String.raw`\$\s?(?:${NUMBER})${SCALE}?`, 'g');
const TOKEN_AMOUNT = new RegExp(String.raw`(?<![\w.$])(?:${NUMBER})${SCALE}?\s(${TOKEN})\b`, 'g');
const PERCENT = new RegExp(String.raw`(?<![\w.])(?:${NUMBER})\s?(?:%|bps\b|basis points\b)`, 'g');
const TOKEN_WORD = /(?<![\w/.-])\$?[a-z]{0,4}[A-Z][A-Za-z0-9]{1,9}\b(?![-/.]\w)/g;
const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  eighteen: 18,
  twenty: 20,
  thirty: 30,
  sixty: 60,
  ninety: 90,
};
const DURATION = new RegExp(
  String.raw`\b(?:${NUMBER}|${Object.keys(NUMBER_WORDS).join('|')}|a|an)[\s-](?:calendar\s)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|epochs?|blocks?)\b`,
  'gi',
);

/** Whether a ticker-shaped word reads as a token symbol. */
export function isTokenSymbol(word: string): boolean {
  const w = word.startsWith('$') ? word.slice(1) : word;
  if (w.length < 2 || NOT_TOKENS.has(w.toUpperCase())) return false;
  if (KNOWN_TOKENS.has(w)) return true;
  // Upper-case tickers of 2..10 characters (GHO, FXS), or a short lower-case prefix on one (wstETH, sDAI).
  return /^[a-z]{0,4}[A-Z][A-Z0-9]{1,9}$/.test(w) && /[A-Z]{2}/.test(w);
}

function parseNumber(text: string): number | null {
  const m = /(\d[\d,]*(?:\.\d+)?)(?:\s?(k|m|b|thousand|million|billion)\b)?/i.exec(text);
  if (!m) return null;
  const base = Number(m[1]!.replace(/,/g, ''));
  if (!Number.isFinite(base)) return null;
  const scale = (m[2] ?? '').toLowerCase();
  const factor =
    scale === 'k' || scale === 'thousand'
      ? 1e3
      : scale === 'm' || scale === 'million'
        ? 1e6
        : scale === 'b' || scale === 'billion'
          ? 1e9
          : 1;
  return base * factor;
}

function pushUnique<T>(list: T[], seen: Set<string>, key: string, value: T) {
  if (seen.has(key)) return;
  seen.add(key);
  list.push(value);
}

export interface Entities {
  amounts: ExtractedAmount[];
  tokens: string[];
  addresses: string[];
  durations: string[];
}

export function extractEntities(
  text: string,
  limits = { amounts: 200, tokens: 200, addresses: 200, durations: 100 },
): Entities {
  const found: { at: number; amount: ExtractedAmount }[] = [];
  const taken: [number, number][] = [];
  const overlaps = (a: number, b: number) => taken.some(([x, y]) => a < y && b > x);
  const add = (at: number, textOf: string, unit: string | null) => {
    if (overlaps(at, at + textOf.length)) return;
    taken.push([at, at + textOf.length]);
    found.push({ at, amount: { text: textOf, value: parseNumber(textOf), unit } });
  };
  for (const m of text.matchAll(CURRENCY_AMOUNT)) add(m.index, m[0], 'USD');
  for (const m of text.matchAll(TOKEN_AMOUNT)) {
    const symbol = m[1]!;
    if (!isTokenSymbol(symbol)) continue;
    add(m.index, m[0], symbol.replace(/^\$/, ''));
  }
  for (const m of text.matchAll(PERCENT)) add(m.index, m[0], /bps|basis/.test(m[0]) ? 'bps' : '%');
  found.sort((a, b) => a.at - b.at);
  const amounts: ExtractedAmount[] = [];
  const seenAmounts = new Set<string>();
  for (const f of found) if (amounts.length < limits.amounts) pushUnique(amounts, seenAmounts, f.amount.text, f.amount);

  const tokens: string[] = [];
  const seenTokens = new Set<string>();
  for (const m of text.matchAll(TOKEN_WORD)) {
    if (tokens.length >= limits.tokens) break;
    const symbol = m[0].replace(/^\$/, '');
    if (!isTokenSymbol(symbol)) continue;
    pushUnique(tokens, seenTokens, symbol, symbol);
  }
  for (const a of amounts)
    if (a.unit && a.unit !== 'USD' && a.unit !== '%' && a.unit !== 'bps' && tokens.length < limits.tokens)
      pushUnique(tokens, seenTokens, a.unit, a.unit);

  const addresses: string[] = [];
  const seenAddresses = new Set<string>();
  for (const m of text.matchAll(ADDRESS))
    if (addresses.length < limits.addresses) pushUnique(addresses, seenAddresses, m[0].toLowerCase(), m[0]);

  const durations: string[] = [];
  const seenDurations = new Set<string>();
  for (const m of text.matchAll(DURATION))
    if (durations.length < limits.durations) pushUnique(durations, seenDurations, m[0].toLowerCase(), m[0]);

  return { amounts, tokens, addresses, durations };
}
