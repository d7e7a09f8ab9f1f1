// The reader is west of UTC: a date-only time (00:00 UTC) falls on the evening before there.
process.env.TZ = 'America/Los_Angeles';

import { describe, expect, it } from 'vitest';
import { formatDate } from './format.ts';

describe('dates the source gives without a time', () => {
  it('runs west of UTC', () => {
    expect(new Date('2025-03-01T00:00:00.000Z').getTimezoneOffset()).toBeGreaterThan(0);
    // A full time is shown in the reader's zone: the evening of Feb 28 in Los Angeles.
    expect(formatDate('2025-03-01T00:00:00.000Z', false, 'second')).toContain('Feb 28');
  });

  it('shows the UTC date, without a time of day, also when a time is asked for', () => {
    expect(formatDate('2025-03-01T00:00:00.000Z', false, 'day')).toBe(
      new Date(Date.UTC(2025, 2, 1)).toLocaleDateString(undefined, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        timeZone: 'UTC',
      }),
    );
    const withTime = formatDate('2025-03-01T00:00:00.000Z', true, 'day');
    expect(withTime).toContain('Mar 1');
    expect(withTime).toContain('2025');
    expect(withTime).not.toMatch(/\d:\d\d|AM|PM/);
    expect(formatDate('2026-12-31T00:00:00.000Z', true, 'day')).toContain('Dec 31');
    expect(formatDate(null, true, 'day')).toBe('—');
  });
});
