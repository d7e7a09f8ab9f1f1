/**
 * Which backups to keep: the newest backup of each of the last `daily` days, of each of the last
 * `weekly` ISO weeks (Monday to Sunday) and of each of the last `monthly` calendar months, all in
 * UTC and counted back from `now` (the current day, week and month are the first of each). The
 * newest backup is always kept. A pure function, so the scheduler and the tests share it.
 */
export interface Retention {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface Dated {
  createdAt: Date;
}

const DAY = 86_400_000;
const dayIndex = (d: Date) => Math.floor(d.getTime() / DAY);
// 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
const weekIndex = (d: Date) => Math.floor((dayIndex(d) + 3) / 7);
const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();

export function backupsToKeep<T extends Dated>(backups: T[], now: Date, retention: Retention): Set<T> {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const keep = new Set<T>();
  if (newestFirst[0]) keep.add(newestFirst[0]);
  const periods: [number, (d: Date) => number][] = [
    [retention.daily, dayIndex],
    [retention.weekly, weekIndex],
    [retention.monthly, monthIndex],
  ];
  for (const [count, indexOf] of periods) {
    const current = indexOf(now);
    const seen = new Set<number>();
    for (const backup of newestFirst) {
      const period = indexOf(backup.createdAt);
      if (current - period >= count || current - period < 0 || seen.has(period)) continue;
      seen.add(period);
      keep.add(backup);
    }
  }
  return keep;
}
