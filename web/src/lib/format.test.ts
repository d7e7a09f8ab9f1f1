import { describe, expect, it } from 'vitest';
import {
  formatChoice,
  formatDate,
  formatMonths,
  formatNumber,
  formatPercent,
  formatRelative,
  formatTreasury,
  formatUsd,
  plural,
  shortAddress,
} from './format.ts';

describe('number formatting', () => {
  it('formats USD compactly', () => {
    expect(formatUsd(1_234_567)).toBe('$1.2M');
    expect(formatUsd('6966869.57210792944449999997')).toBe('$7M');
    expect(formatUsd(950)).toBe('$950');
    expect(formatUsd(12_500)).toBe('$12.5K');
    expect(formatUsd(-2500)).toBe('-$2.5K');
    expect(formatUsd(0.5)).toBe('$0.5');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(null)).toBe('—');
    expect(formatUsd('not a number')).toBe('—');
  });

  it('formats ratios as percentages', () => {
    expect(formatPercent(0.385)).toBe('38.5%');
    expect(formatPercent('0.007021')).toBe('0.7%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.12345, 2)).toBe('12.35%');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('formats counts: grouped below 10k, compact above', () => {
    expect(formatNumber(2591)).toBe('2,591');
    expect(formatNumber(19_409)).toBe('19.4K');
    expect(formatNumber(13_300_000)).toBe('13.3M');
    expect(formatNumber(20.37)).toBe('20.37');
    expect(formatNumber('0.0000001')).toBe('1.0e-7');
    expect(formatNumber(null)).toBe('—');
  });

  it('shows a missing treasury as a dash, not $0', () => {
    expect(formatTreasury('0')).toBe('—');
    expect(formatTreasury('1500')).toBe('$1.5K');
  });

  it('formats runway months', () => {
    expect(formatMonths(5.25)).toBe('5.3 months');
    expect(formatMonths(18)).toBe('18 months');
    expect(formatMonths(30)).toBe('2.5 years');
    expect(formatMonths(500)).toBe('> 10 years');
    expect(formatMonths(null)).toBe('—');
  });
});

describe('dates and addresses', () => {
  it('formats dates in the reader time zone and relative times', () => {
    expect(formatDate('2024-01-02T03:04:05Z')).toMatch(/2024/);
    expect(formatDate(null)).toBe('—');
    expect(formatDate('garbage')).toBe('—');
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(formatRelative('2024-01-04T00:00:00Z', now)).toBe('in 3 days');
    expect(formatRelative('2023-12-31T22:00:00Z', now)).toBe('2 hours ago');
    expect(formatRelative('2024-01-01T00:00:10Z', now)).toBe('now');
  });

  it('pluralizes counts', () => {
    expect(plural(1, 'vote')).toBe('1 vote');
    expect(plural(2591, 'vote')).toBe('2,591 votes');
    expect(plural(0, 'voter')).toBe('0 voters');
  });

  it('shortens addresses only', () => {
    expect(shortAddress('0x1234567890abcdef1234567890abcdef12345678')).toBe('0x1234…5678');
    expect(shortAddress('vitalik.eth')).toBe('vitalik.eth');
  });

  it('labels every Snapshot choice encoding', () => {
    const labels = ['For', 'Against', 'Abstain'];
    expect(formatChoice(2, labels)).toBe('Against');
    expect(formatChoice([1, 3], labels)).toBe('For, Abstain');
    expect(formatChoice({ '1': 1, '2': 3 }, labels)).toBe('For 25%, Against 75%');
    expect(formatChoice(7, labels)).toBe('#7');
  });
});
