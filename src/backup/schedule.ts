import type { BackupSchedule as Schedule } from '../config/index.ts';

/** When the scheduled backups of `serve` run (BACKUP_SCHEDULE, parsed by src/config). */

const MINUTE = 60_000;

/** The first run strictly after `from`, or undefined when the schedule is off. */
export function nextRun(schedule: Schedule, from: Date): Date | undefined {
  const t = from.getTime();
  const dayStart = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  switch (schedule.kind) {
    case 'off':
      return undefined;
    case 'daily': {
      const today = dayStart + (schedule.hour * 60 + schedule.minute) * MINUTE;
      return new Date(today > t ? today : today + 24 * 60 * MINUTE);
    }
    case 'hourly': {
      const hourStart = t - (t % (60 * MINUTE));
      const at = hourStart + schedule.minute * MINUTE;
      return new Date(at > t ? at : at + 60 * MINUTE);
    }
    case 'every': {
      const step = schedule.minutes * MINUTE;
      const next = dayStart + (Math.floor((t - dayStart) / step) + 1) * step;
      // A step that does not divide the day restarts at midnight.
      return new Date(Math.min(next, dayStart + 24 * 60 * MINUTE));
    }
  }
}
