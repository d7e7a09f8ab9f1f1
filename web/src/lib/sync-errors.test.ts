import { describe, expect, it } from 'vitest';
import { explainSyncError } from './sync-errors.ts';

describe('sync errors in words', () => {
  it('explains the messages the sources write', () => {
    expect(explainSyncError('Snapshot hub query proposals: ECONNREFUSED')).toMatch(/could not be reached/);
    expect(explainSyncError('Snapshot hub query votes: HTTP 429 (slow down)')).toMatch(/limiting/);
    expect(explainSyncError('Snapshot hub query votes: HTTP 401 (bad key)')).toMatch(/API key/);
    expect(explainSyncError('interrupted: the process running it stopped')).toMatch(/stopped before it finished/);
    expect(
      explainSyncError('reorg deeper than the kept blocks: block 12 changed; raise CONFIRMATIONS or resync'),
    ).toMatch(/CONFIRMATIONS/);
    expect(explainSyncError('3 of 10 records were rejected; the others were stored')).toMatch(/not valid/);
  });

  it('says nothing without an error and falls back to a plain sentence', () => {
    expect(explainSyncError(null)).toBeNull();
    expect(explainSyncError('')).toBeNull();
    expect(explainSyncError('something odd')).toBe('The last run failed; the source gave the message below.');
  });
});
