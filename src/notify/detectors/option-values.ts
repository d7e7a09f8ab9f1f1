import type { NotificationAudience } from '../../db/notification-event.ts';

/**
 * One value of a per-subscription option (`hours`, `threshold`) that a detector runs for. The
 * configured default always runs (it is what subscriptions setting none get, and what the ledger
 * has always recorded), under the keys it had before options were honoured; each other value a
 * live subscription sets runs once more, under keys naming that value.
 */
export interface OptionValue {
  value: number;
  /** Canonical decimal text: what keys and audiences name. */
  text: string;
  isDefault: boolean;
}

/** The configured default as an option value. */
export const defaultOption = (fallback: number): OptionValue => ({
  value: fallback,
  text: String(fallback),
  isDefault: true,
});

/** One subscription's value (canonical decimal text; undefined: it sets none, the default applies). */
export const optionValueOf = (fallback: number, text: string | undefined): OptionValue =>
  text === undefined || text === String(fallback)
    ? defaultOption(fallback)
    : { value: Number(text), text, isDefault: false };

/** The default, then each distinct other value asked for (canonical decimal strings), in ascending order. */
export function optionValues(fallback: number, asked: Iterable<string>): OptionValue[] {
  const values = new Map([[String(fallback), defaultOption(fallback)]]);
  for (const text of [...asked].sort((a, b) => Number(a) - Number(b)))
    if (!values.has(text)) values.set(text, optionValueOf(fallback, text));
  return [...values.values()];
}

/** Who an event detected for `v` goes to: the subscriptions with that value, and those setting none when it is the default. */
export const audienceOf = (option: NotificationAudience['option'], v: OptionValue): NotificationAudience => ({
  option,
  value: v.text,
  orUnset: v.isDefault,
});
