import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';

/** One (rule, subject)'s operator alert state (migration 0055; the machine is src/alerts/state.ts). */
export interface AlertStateRow {
  rule: string;
  subject: string;
  level: 'ok' | 'warning' | 'critical';
  episode: number;
  notices: number;
  summary: string;
  facts: Record<string, string | number | null>;
  startedAt: Date;
  changedAt: Date;
  resolvedAt: Date | null;
  notifiedLevel: 'ok' | 'warning' | 'critical' | null;
  notifiedAt: Date | null;
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function toRow(r: Record<string, unknown>): AlertStateRow {
  return {
    rule: r.rule as string,
    subject: r.subject as string,
    level: r.level as AlertStateRow['level'],
    episode: Number(r.episode),
    notices: Number(r.notices),
    summary: r.summary as string,
    facts: r.facts as AlertStateRow['facts'],
    startedAt: new Date(r.started_at as string),
    changedAt: new Date(r.changed_at as string),
    resolvedAt: date(r.resolved_at),
    notifiedLevel: (r.notified_level as AlertStateRow['notifiedLevel']) ?? null,
    notifiedAt: date(r.notified_at),
  };
}

export async function loadAlertStates(db: Db): Promise<AlertStateRow[]> {
  return (await rowsOf<Record<string, unknown>>(db, sql`select * from operator_alerts order by rule, subject`)).map(
    toRow,
  );
}

export async function saveAlertStates(db: Db, states: AlertStateRow[]): Promise<void> {
  if (!states.length) return;
  const json = JSON.stringify(
    states.map((s) => ({
      rule: s.rule,
      subject: s.subject,
      level: s.level,
      episode: s.episode,
      notices: s.notices,
      summary: s.summary,
      facts: s.facts,
      started_at: s.startedAt.toISOString(),
      changed_at: s.changedAt.toISOString(),
      resolved_at: s.resolvedAt?.toISOString() ?? null,
      notified_level: s.notifiedLevel,
      notified_at: s.notifiedAt?.toISOString() ?? null,
    })),
  );
  await db.execute(sql`
    insert into operator_alerts (rule, subject, level, episode, notices, summary, facts, started_at, changed_at, resolved_at, notified_level, notified_at)
    select * from jsonb_to_recordset(${json}::jsonb) as r(rule text, subject text, level text, episode integer, notices integer, summary text,
      facts jsonb, started_at timestamptz, changed_at timestamptz, resolved_at timestamptz, notified_level text, notified_at timestamptz)
    on conflict (rule, subject) do update set level = excluded.level, episode = excluded.episode, notices = excluded.notices, summary = excluded.summary,
      facts = excluded.facts, started_at = excluded.started_at, changed_at = excluded.changed_at,
      resolved_at = excluded.resolved_at, notified_level = excluded.notified_level, notified_at = excluded.notified_at`);
}

/** Alerts for the admin list: firing ones first (critical before warning), then resolved, newest change first. */
export async function listAlerts(
  db: Db,
  filter: { status?: 'firing' | 'resolved' | undefined; limit: number },
): Promise<AlertStateRow[]> {
  const status = filter.status ?? null;
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
    select * from operator_alerts
     where (${status}::text is null or (${status}::text = 'firing') = (level <> 'ok'))
     order by case level when 'critical' then 0 when 'warning' then 1 else 2 end, changed_at desc, rule, subject
     limit ${filter.limit}`,
  );
  return rows.map(toRow);
}
