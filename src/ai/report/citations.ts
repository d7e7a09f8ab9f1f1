import type { ReportFigures } from './figures.ts';

/**
 * Whether a report's text cites only the figures it was given.
 *
 * The rule (README "DAO governance report"):
 * - Every run of digits in the text is a cited number: thousands separators are dropped
 *   ("1,234" is 1234), a K/M/B suffix or the words thousand/million/billion scale it ("12.3K" is
 *   12300), and a trailing % or "percent" makes it a percentage.
 * - A cited number matches a figure when the figure, rounded to the number of decimals the text
 *   shows, is that number: a percentage is a ratio times 100 ("38.5%" matches 0.3849, since
 *   38.49 rounds to 38.5; every ratio of the figures is in [0, 1], change_pct included);
 *   "12.3K" matches 12,345; "1,234" matches 1234.4. Rounding never makes a figure 0: "0" and "0%"
 *   match only a figure that is 0. Negative figures match with or without their sign ("fell by 5%").
 * - Besides the figures, these may appear: dates (YYYY-MM-DD, "March 3, 2025", "3 March 2025", or
 *   "March 2025") that fall in the window, and bare years from the window's first to its last; a
 *   date with a year outside the window is invented as a whole;
 *   numbers in the DAO's name and slug; and the numbers in the figures' own names (top 1, 5, 10).
 * Anything else is an invented number and the report is refused.
 */
export interface CitationCheck {
  ok: boolean;
  /** The cited numbers that match no figure, as written. */
  invented: string[];
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH = `(${MONTHS.map((m) => `${m.slice(0, 3)}(?:${m.slice(3)})?`).join('|')})\\.?`;
const monthIndex = (name: string) => MONTHS.findIndex((m) => m.startsWith(name.toLowerCase().slice(0, 3)));

const SCALE: Record<string, number> = { k: 1e3, thousand: 1e3, m: 1e6, million: 1e6, b: 1e9, billion: 1e9 };
const NUMBER =
  /(-|−)?\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?(%|percent\b|per cent\b)|\s?([kKmMbB])\b|\s(thousand|million|billion)\b)?/g;

/** Every number in the figures (nulls and text are not numbers), and the label numbers. */
function figureValues(figures: ReportFigures): number[] {
  const out: number[] = [1, 5, 10];
  const walk = (v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  const { dao: _dao, window: _window, ...rest } = figures;
  walk(rest);
  out.push(figures.window.days);
  return out;
}

/** Days of the window as [first, last] (the end is exclusive). */
function windowDays(figures: ReportFigures): [string, string] {
  const last = new Date(Date.parse(figures.window.to) - 1);
  return [figures.window.from.slice(0, 10), last.toISOString().slice(0, 10)];
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Removes the dates from the text (so their digits are not read as figures): those of the window
 * go, those outside it (with a year, so they can be told) are kept as invented.
 */
function withoutDates(text: string, figures: ReportFigures): { rest: string; invented: string[] } {
  const [first, last] = windowDays(figures);
  const [firstYear, lastYear] = [Number(first.slice(0, 4)), Number(last.slice(0, 4))];
  const inWindow = (day: string) => day >= first && day <= last;
  const monthInWindow = (y: number, m: number) => `${y}-${pad(m + 1)}-31` >= first && `${y}-${pad(m + 1)}-01` <= last;
  const dayInWindow = (y: number | undefined, m: number, d: number) => {
    if (d < 1 || d > 31) return false;
    if (y !== undefined) return inWindow(`${y}-${pad(m + 1)}-${pad(d)}`);
    // No year: any year of the window.
    for (let year = firstYear; year <= lastYear; year++) if (inWindow(`${year}-${pad(m + 1)}-${pad(d)}`)) return true;
    return false;
  };
  const invented: string[] = [];
  const judge = (all: string, ok: boolean, told: boolean) => {
    if (ok) return ' '.repeat(all.length);
    if (!told) return all;
    invented.push(all.trim());
    return ' '.repeat(all.length);
  };
  const year = (y: string | undefined) => (y === undefined ? undefined : Number(y));
  const rest = text
    // ISO dates and times.
    .replace(
      /\b(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
      (all, y, m, d) => judge(all, inWindow(`${y}-${m}-${d}`), true),
    )
    // "March 3, 2025", "March 3".
    .replace(new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`, 'gi'), (all, m, d, y) =>
      judge(all, dayInWindow(year(y), monthIndex(m), Number(d)), y !== undefined),
    )
    // "3 March 2025", "3 March".
    .replace(
      new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+(\\d{4})\\b)?`, 'gi'),
      (all, d, m, y) => judge(all, dayInWindow(year(y), monthIndex(m), Number(d)), y !== undefined),
    )
    // "March 2025".
    .replace(new RegExp(`\\b${MONTH}\\s+(\\d{4})\\b`, 'gi'), (all, m, y) =>
      judge(all, monthInWindow(Number(y), monthIndex(m)), true),
    )
    // Bare years of the window.
    .replace(/\b(\d{4})\b(?![.,]\d)/g, (all, y) => judge(all, Number(y) >= firstYear && Number(y) <= lastYear, false));
  return { rest, invented };
}

/** Whether `value` written with `decimals` decimals (in the text's unit) is `cited`. */
function rounds(value: number, cited: number, decimals: number): boolean {
  // Rounding never makes a figure that is not zero a zero ("0 failed" does not cite a ratio of 0.38).
  if (cited === 0) return value === 0;
  const tolerance = 0.5 * 10 ** -decimals + 1e-9 * Math.max(1, Math.abs(cited));
  return Math.abs(Math.abs(value) - cited) <= tolerance;
}

export function checkCitations(text: string, figures: ReportFigures): CitationCheck {
  const dated = withoutDates(text, figures);
  let rest = dated.rest;
  for (const name of [figures.dao.name, figures.dao.slug])
    if (name && /\d/.test(name)) rest = rest.split(name).join(' ');
  const values = figureValues(figures);
  const invented = [...dated.invented];
  for (const m of rest.matchAll(NUMBER)) {
    // Digits inside a word ("0x12ab", "L2") are not figures; a sign after one ("10-12") separates.
    const before = m[1] ? undefined : rest[m.index - 1];
    if (before && /[A-Za-z0-9_.]/.test(before)) continue;
    const [, , digits, fraction, percent, suffix, word] = m;
    const decimals = fraction ? fraction.length - 1 : 0;
    const cited = Number(`${digits!.replaceAll(',', '')}${fraction ?? ''}`);
    const scale = SCALE[(suffix ?? word ?? '').toLowerCase()] ?? 1;
    const matches = values.some((v) =>
      percent ? rounds(v * 100, cited, decimals) || rounds(v, cited, decimals) : rounds(v / scale, cited, decimals),
    );
    if (!matches) invented.push(m[0].trim());
  }
  return { ok: invented.length === 0, invented };
}
