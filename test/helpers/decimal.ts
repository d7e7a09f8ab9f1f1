/**
 * Exact decimal arithmetic for tests, independent of the code under test: a decimal string
 * (with optional exponent) becomes a BigInt scaled by 10^SCALE.
 */
const SCALE = 40;

export function toScaled(text: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  let digits = int + frac;
  let point = int.length + Number(exp); // position of the decimal point within digits
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  digits = digits.padEnd(point + SCALE, '0');
  const whole = digits.slice(0, point + SCALE);
  if (/[1-9]/.test(digits.slice(point + SCALE))) throw new Error(`more than ${SCALE} decimals: ${text}`);
  const value = BigInt(whole || '0');
  return sign === '-' ? -value : value;
}

export function fromScaled(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, '0');
  const int = digits.slice(0, -SCALE);
  const frac = digits.slice(-SCALE).replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

export function sumDecimals(values: Iterable<string>): string {
  let total = 0n;
  for (const v of values) total += toScaled(v);
  return fromScaled(total);
}

/** Same number, whatever the formatting (trailing zeros, exponent). */
export function sameDecimal(a: string, b: string): boolean {
  return toScaled(a) === toScaled(b);
}
