import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';

/** The append-only audit log (a trigger refuses updates and deletes; see migration 0040). */
export interface AuditEntry {
  actorUserId: number | null;
  actorKeyId: number | null;
  actor: string;
  action: string;
  resource: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: string;
  actor_user_id: number | null;
  actor_key_id: number | null;
  actor: string;
  action: string;
  resource: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

export async function appendAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.execute(sql`
    insert into audit_log (actor_user_id, actor_key_id, actor, action, resource, outcome, ip, user_agent, details)
    values (${entry.actorUserId}, ${entry.actorKeyId}, ${entry.actor}, ${entry.action}, ${entry.resource}, ${entry.outcome},
            ${entry.ip}, ${entry.userAgent}, ${JSON.stringify(entry.details)}::jsonb)`);
}

export interface AuditFilter {
  actorUserId?: number | undefined;
  action?: string | undefined;
  resource?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

function where(f: AuditFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.actorUserId !== undefined) parts.push(sql`actor_user_id = ${f.actorUserId}`);
  if (f.action !== undefined) parts.push(sql`action = ${f.action}`);
  if (f.resource !== undefined) parts.push(sql`resource = ${f.resource}`);
  if (f.from) parts.push(sql`at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) parts.push(sql`at < ${f.to.toISOString()}::timestamptz`);
  return sql.join(parts, sql` and `);
}

/** Newest first; `beforeId` continues after the last row of the previous page (keyset). */
export async function listAudit(
  db: Db,
  f: AuditFilter,
  page: { limit: number; offset?: number; beforeId?: number },
): Promise<AuditRow[]> {
  return rowsOf<AuditRow>(
    db,
    sql`
    select id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, actor_user_id, actor_key_id, actor, action,
           resource, outcome, ip, user_agent, details
      from audit_log where ${where(f)} ${page.beforeId === undefined ? sql`` : sql`and id < ${page.beforeId}`}
     order by id desc limit ${page.limit} offset ${page.beforeId === undefined ? (page.offset ?? 0) : 0}`,
  );
}

export async function countAudit(db: Db, f: AuditFilter): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from audit_log where ${where(f)}`);
  return row?.n ?? 0;
}

/** Failed logins of one account since `since` (the lockout counts these). */
export async function failedLoginsSince(db: Db, userId: number, since: Date): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`
    select count(*)::int as n from audit_log
     where action = 'auth.login' and outcome = 'failure' and actor_user_id = ${userId} and at >= ${since.toISOString()}::timestamptz`,
  );
  return row?.n ?? 0;
}
