import type { Price } from '../config/index.ts';

/**
 * Cost of a call from its token counts and the price table, in exact decimals: prices have at most
 * six decimals per million tokens, so a token costs a whole number of picodollars, and sums of
 * costs (per call, per day) add up to the digit.
 */
const PICO_PER_USD = 10n ** 12n;

/** USD per million tokens → picodollars per token. */
function picoPerToken(usdPerMillion: string): bigint {
  const [whole, fraction = ''] = usdPerMillion.split('.');
  return BigInt(whole!) * 10n ** 6n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

export function picoToUsd(pico: bigint): string {
  const sign = pico < 0n ? '-' : '';
  const abs = pico < 0n ? -pico : pico;
  const fraction = (abs % PICO_PER_USD).toString().padStart(12, '0').replace(/0+$/, '');
  return `${sign}${abs / PICO_PER_USD}${fraction ? `.${fraction}` : ''}`;
}

export function usdToPico(usd: string): bigint {
  const negative = usd.startsWith('-');
  const [whole, fraction = ''] = usd.replace(/^-/, '').split('.');
  const pico = BigInt(whole || '0') * PICO_PER_USD + BigInt(fraction.padEnd(12, '0').slice(0, 12));
  return negative ? -pico : pico;
}

export class PriceTable {
  constructor(private readonly prices: Record<string, Price>) {}

  price(provider: string, model: string): Price | undefined {
    return this.prices[`${provider}:${model}`];
  }

  /** Picodollars of a call, undefined when the model has no price (its cost is unknown, not zero). */
  costPico(provider: string, model: string, inputTokens: number, outputTokens: number): bigint | undefined {
    const p = this.price(provider, model);
    if (!p) return undefined;
    return BigInt(inputTokens) * picoPerToken(p.input) + BigInt(outputTokens) * picoPerToken(p.output);
  }

  cost(provider: string, model: string, inputTokens: number, outputTokens: number): string | null {
    const pico = this.costPico(provider, model, inputTokens, outputTokens);
    return pico === undefined ? null : picoToUsd(pico);
  }
}
