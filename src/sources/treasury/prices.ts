import { UnavailableError } from '../../errors.ts';

/**
 * Token prices in USD from an API in DefiLlama's coins shape:
 * `GET {base}/prices/current/{chain}:{address},...` ->
 * `{coins: {"chain:address": {price, symbol, decimals, timestamp, confidence}}}`.
 * Another provider plugs in by implementing PriceSource.
 */
export interface Price {
  /** Exact decimal text of the USD price. */
  price: string;
  symbol?: string;
  /** When the provider priced it. */
  time?: Date;
}

export interface PriceSource {
  /** Prices of the coins the provider knows (others are absent); throws UnavailableError when it cannot be reached. */
  prices(coins: string[]): Promise<Map<string, Price>>;
}

/** The coin id of a chain's native coin in DefiLlama's API. */
export const NATIVE = '0x0000000000000000000000000000000000000000';

/** A JSON number as exact decimal text (never exponent notation). */
export function decimalText(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

export function createLlamaPrices(baseUrl: string, options: { timeoutMs?: number } = {}): PriceSource {
  return {
    async prices(coins) {
      const out = new Map<string, Price>();
      if (coins.length === 0) return out;
      // Keeps URLs well below common length limits.
      for (let i = 0; i < coins.length; i += 50) {
        const batch = coins.slice(i, i + 50);
        const url = `${baseUrl}/prices/current/${batch.map((c) => encodeURIComponent(c).replaceAll('%3A', ':')).join(',')}`;
        let body: { coins?: Record<string, { price?: unknown; symbol?: unknown; timestamp?: unknown }> };
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          body = (await response.json()) as typeof body;
        } catch (error) {
          throw new UnavailableError(
            `price API ${baseUrl} unavailable: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        for (const [coin, entry] of Object.entries(body.coins ?? {})) {
          if (typeof entry?.price !== 'number' || !Number.isFinite(entry.price) || entry.price < 0) continue;
          out.set(coin.toLowerCase(), {
            price: decimalText(entry.price),
            symbol: typeof entry.symbol === 'string' ? entry.symbol : undefined,
            time: typeof entry.timestamp === 'number' ? new Date(entry.timestamp * 1000) : undefined,
          });
        }
      }
      return out;
    },
  };
}

/** Exact product of two non-negative decimal strings. */
export function multiplyDecimals(a: string, b: string): string {
  const parse = (s: string) => {
    const [whole, fraction = ''] = s.split('.');
    return { digits: BigInt(`${whole}${fraction}` || '0'), scale: fraction.length };
  };
  const x = parse(a);
  const y = parse(b);
  const scale = x.scale + y.scale;
  const digits = (x.digits * y.digits).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
