import type { SubscribableKind } from '../api/types.ts';

/** The governance events a subscription may ask for, in the order the forms list them. */
export const EVENTS: { kind: SubscribableKind; label: string; hint: string }[] = [
  { kind: 'proposal.created', label: 'New proposal', hint: 'a proposal appears' },
  { kind: 'proposal.ending', label: 'Ending soon', hint: 'hours before a proposal ends' },
  { kind: 'quorum.at_risk', label: 'Quorum at risk', hint: 'the projected turnout misses quorum' },
  {
    kind: 'delegate.not_voted',
    label: 'Watched delegate has not voted',
    hint: 'a watched address has not voted, hours before the end',
  },
  { kind: 'proposal.outcome', label: 'Outcome', hint: 'a proposal ends: passed or failed' },
  { kind: 'treasury.outflow', label: 'Treasury outflow', hint: 'more than the threshold leaves the treasury' },
];

export const eventLabel = (kind: string) => EVENTS.find((e) => e.kind === kind)?.label ?? kind;

/** The options a subscription's form collects, as typed (strings), before they are checked. */
export interface OptionValues {
  hours: string;
  addresses: string;
  threshold: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The body's `options` for the chosen events, or the field that is wrong: only options the chosen
 * events use are sent, and a delegate watch needs at least one address (it watches nobody else).
 */
export function subscriptionOptions(
  events: SubscribableKind[],
  values: OptionValues,
): { options: { hours?: number; addresses?: string[]; threshold?: string }; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const options: { hours?: number; addresses?: string[]; threshold?: string } = {};
  if (!events.length) errors.events = 'Choose at least one event.';
  if ((events.includes('proposal.ending') || events.includes('delegate.not_voted')) && values.hours.trim()) {
    const hours = Number(values.hours);
    if (!Number.isInteger(hours) || hours < 1 || hours > 720) errors.hours = 'Hours from 1 to 720.';
    else options.hours = hours;
  }
  if (events.includes('delegate.not_voted')) {
    const addresses = values.addresses.split(/[\s,]+/).filter(Boolean);
    const wrong = addresses.find((a) => !ADDRESS.test(a));
    if (wrong) errors.addresses = `${wrong} is not an address (0x and 40 hex digits).`;
    else if (!addresses.length) errors.addresses = 'Name at least one address to watch.';
    else if (addresses.length > 100) errors.addresses = 'At most 100 addresses.';
    else options.addresses = addresses;
  }
  if (events.includes('treasury.outflow') && values.threshold.trim()) {
    const threshold = values.threshold.trim().replace(/[$,_\s]/g, '');
    if (!/^[0-9]+(\.[0-9]+)?$/.test(threshold)) errors.threshold = 'An amount in USD, like 250000.';
    else options.threshold = threshold;
  }
  return { options, errors };
}
