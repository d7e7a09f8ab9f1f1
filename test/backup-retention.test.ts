import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_FORMAT, manifestPath } from '../src/backup/manifest.ts';
import { backupsToKeep } from '../src/backup/retention.ts';
import { nextRun } from '../src/backup/schedule.ts';
import { listBackups, pruneBackups } from '../src/backup/scheduler.ts';
import { loadConfig } from '../src/config/index.ts';

const day = (iso: string) => iso.slice(0, 10);
/** One backup a day at 03:00 UTC for `days` days up to and including `last`. */
function dailyBackups(last: string, days: number) {
  const end = Date.parse(`${last}T03:00:00Z`);
  return Array.from({ length: days }, (_, i) => ({ createdAt: new Date(end - i * 86_400_000) }));
}

describe('retention', () => {
  // Thursday 3 December 2026, after that day's backup.
  const now = new Date('2026-12-03T12:00:00Z');
  const backups = dailyBackups('2026-12-03', 500);
  const kept = new Set(
    [...backupsToKeep(backups, now, { daily: 30, weekly: 12, monthly: 12 })].map((b) => day(b.createdAt.toISOString())),
  );

  it('keeps every day of the last 30 days (3 December back to 4 November) and not the day before', () => {
    for (let d = 4; d <= 30; d++) expect(kept.has(`2026-11-${String(d).padStart(2, '0')}`)).toBe(true);
    for (const d of ['2026-12-01', '2026-12-02', '2026-12-03']) expect(kept.has(d)).toBe(true);
    expect(kept.has('2026-11-03')).toBe(false); // a Tuesday, not a month's last day
  });

  it('keeps the Sunday of each of the last 12 ISO weeks (back to the week of 14 September)', () => {
    for (const d of ['2026-11-01', '2026-10-25', '2026-10-18', '2026-10-11', '2026-10-04', '2026-09-27', '2026-09-20'])
      expect(kept.has(d), d).toBe(true);
    expect(kept.has('2026-09-13')).toBe(false);
    expect(kept.has('2026-10-24')).toBe(false); // a Saturday: its week's Sunday is the one kept
  });

  it("keeps each of the last 12 months' last backup (back to January 2026) and nothing older", () => {
    for (const d of [
      '2026-10-31',
      '2026-09-30',
      '2026-08-31',
      '2026-07-31',
      '2026-06-30',
      '2026-05-31',
      '2026-04-30',
      '2026-03-31',
      '2026-02-28',
      '2026-01-31',
    ])
      expect(kept.has(d), d).toBe(true);
    expect(kept.has('2025-12-31')).toBe(false);
    expect([...kept].every((d) => d >= '2026-01-01')).toBe(true);
    // 30 days + 7 Sundays before 4 November + 10 month ends before October's Sundays = 47.
    expect(kept.size).toBe(47);
  });

  it('always keeps the newest backup, even when every count is 0', () => {
    const only = backupsToKeep(backups, now, { daily: 0, weekly: 0, monthly: 0 });
    expect([...only].map((b) => day(b.createdAt.toISOString()))).toEqual(['2026-12-03']);
    expect(backupsToKeep([], now, { daily: 30, weekly: 12, monthly: 12 }).size).toBe(0);
  });

  it('keeps the newest of several backups a day (48 hourly ones from 1 December 12:00 to 3 December 11:00)', () => {
    const hourly = Array.from({ length: 48 }, (_, i) => ({
      createdAt: new Date(Date.parse('2026-12-03T11:00:00Z') - i * 3_600_000),
    }));
    const keep = [...backupsToKeep(hourly, now, { daily: 30, weekly: 0, monthly: 0 })].map((b) =>
      b.createdAt.toISOString(),
    );
    expect(keep.sort()).toEqual(['2026-12-01T23:00:00.000Z', '2026-12-02T23:00:00.000Z', '2026-12-03T11:00:00.000Z']);
  });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-retention-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prunes the files in a backup directory by their manifests, leaving files without one alone', async () => {
    for (const b of dailyBackups('2026-12-03', 120)) {
      const file = path.join(tmp, `b-${b.createdAt.toISOString().replace(/[:.]/g, '-')}.tar.gz`);
      fs.writeFileSync(file, 'x');
      const manifest = {
        format: MANIFEST_FORMAT,
        kind: 'pglite',
        created_at: b.createdAt.toISOString(),
        version: 'test',
        server_version: '17',
        migrations: [],
        tables: {},
        seconds: 0,
        file: { name: path.basename(file), bytes: 1, sha256: 'x' },
      };
      fs.writeFileSync(manifestPath(file), JSON.stringify(manifest));
    }
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'mine');
    const deleted = await pruneBackups(tmp, { daily: 30, weekly: 12, monthly: 12 }, now);
    const left = await listBackups(tmp);
    // 120 days back reach 6 August: 47 kept minus the month ends before August (7) = 40.
    expect(left).toHaveLength(40);
    expect(deleted).toHaveLength(80);
    for (const file of deleted) {
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.existsSync(manifestPath(file))).toBe(false);
    }
    expect(fs.existsSync(path.join(tmp, 'notes.txt'))).toBe(true);
  });
});

describe('BACKUP_SCHEDULE', () => {
  const schedule = (value: string) => loadConfig({ BACKUP_SCHEDULE: value, BACKUP_DIR: '/tmp/b' }).backup.schedule;

  it('runs daily, hourly or every N minutes or hours, in UTC', () => {
    expect(nextRun(schedule('daily@03:00'), new Date('2026-12-03T02:59:59Z'))?.toISOString()).toBe(
      '2026-12-03T03:00:00.000Z',
    );
    expect(nextRun(schedule('daily@03:00'), new Date('2026-12-03T03:00:00Z'))?.toISOString()).toBe(
      '2026-12-04T03:00:00.000Z',
    );
    expect(nextRun(schedule('hourly@15'), new Date('2026-12-03T23:20:00Z'))?.toISOString()).toBe(
      '2026-12-04T00:15:00.000Z',
    );
    expect(nextRun(schedule('every:6h'), new Date('2026-12-03T13:00:00Z'))?.toISOString()).toBe(
      '2026-12-03T18:00:00.000Z',
    );
    expect(nextRun(schedule('every:7h'), new Date('2026-12-03T22:00:00Z'))?.toISOString()).toBe(
      '2026-12-04T00:00:00.000Z',
    );
    expect(nextRun(schedule('off'), new Date())).toBeUndefined();
    expect(loadConfig({}).backup).toEqual({
      dir: undefined,
      schedule: { kind: 'off' },
      keep: { daily: 30, weekly: 12, monthly: 12 },
    });
  });

  it('names the variable of a bad value', () => {
    expect(() => schedule('daily@25:00')).toThrow(
      "BACKUP_SCHEDULE must be daily@HH:MM, hourly@MM, every:Nm, every:Nh or off (UTC), e.g. 'daily@03:00', got 'daily@25:00'",
    );
    expect(() => schedule('0 3 * * *')).toThrow(/BACKUP_SCHEDULE must be/);
    expect(() => loadConfig({ BACKUP_SCHEDULE: 'daily@03:00' })).toThrow(
      'BACKUP_SCHEDULE is set but BACKUP_DIR is not',
    );
    expect(() => loadConfig({ BACKUP_KEEP_DAILY: '-1' })).toThrow(
      "BACKUP_KEEP_DAILY must be an integer from 0 to 3650, got '-1'",
    );
    expect(() => loadConfig({ BACKUP_KEEP_MONTHLY: 'many' })).toThrow(/BACKUP_KEEP_MONTHLY must be an integer/);
  });
});
