import { sql } from 'drizzle-orm';
import { type Db, rowsOf, type Tx } from '../client.ts';

/**
 * The reads the governance detectors need (src/notify/detectors decide; these only fetch), the
 * ledger of events already decided, and the watched addresses. Shapes are plain rows: src/db
 * knows nothing of the notification types above it (they match structurally).
 */

/** A notification as the ledger stores it (the shape of src/notify/event.ts NotificationEvent). */
export interface EventLedgerRow {
  kind: string;
  daoId: number | null;
  key: string;
  title: string;
  body: string;
  url: string | null;
  severity: 'info' | 'warning' | 'critical' | 'resolved';
  facts: Record<string, string | number | null>;
  occurredAt: Date;
}

/**
 * Records events by key and returns those not recorded before, in the caller's transaction: the
 * same fact decided again (a re-run, a live event and a sweep, a second process) returns nothing.
 */
export async function claimEvents<E extends EventLedgerRow>(tx: Tx, events: E[]): Promise<E[]> {
  if (!events.length) return [];
  const byKey = new Map(events.map((e) => [e.key, e]));
  const rows = await rowsOf<{ key: string }>(
    tx,
    sql`
    insert into notification_events (key, kind, dao_id, title, body, url, severity, facts, occurred_at)
    select * from jsonb_to_recordset(${JSON.stringify(
      [...byKey.values()].map((e) => ({
        key: e.key,
        kind: e.kind,
        dao_id: e.daoId,
        title: e.title,
        body: e.body,
        url: e.url,
        severity: e.severity,
        facts: e.facts,
        occurred_at: e.occurredAt.toISOString(),
      })),
    )}::jsonb) as r(key text, kind text, dao_id integer, title text, body text, url text, severity text, facts jsonb, occurred_at timestamptz)
    on conflict (key) do nothing
    returning key`,
  );
  const fresh = new Set(rows.map((r) => r.key));
  return [...byKey.values()].filter((e) => fresh.has(e.key));
}

export interface LedgerEntry extends EventLedgerRow {
  id: number;
}

/** The ledger, oldest first (tests and the admin's view of what was decided). */
export async function listEvents(db: Db, filter: { daoId?: number; kind?: string } = {}): Promise<LedgerEntry[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
    select id, key, kind, dao_id, title, body, url, severity, facts, occurred_at from notification_events
     where (${filter.daoId ?? null}::integer is null or dao_id = ${filter.daoId ?? null}::integer)
       and (${filter.kind ?? null}::text is null or kind = ${filter.kind ?? null}::text)
     order by id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    key: r.key as string,
    kind: r.kind as string,
    daoId: r.dao_id === null ? null : Number(r.dao_id),
    title: r.title as string,
    body: r.body as string,
    url: (r.url as string | null) ?? null,
    severity: r.severity as EventLedgerRow['severity'],
    facts: r.facts as EventLedgerRow['facts'],
    occurredAt: new Date(r.occurred_at as string),
  }));
}

export async function watchAddress(db: Db, daoId: number, address: string, label?: string): Promise<void> {
  await db.execute(sql`
    insert into watched_addresses (dao_id, address, label) values (${daoId}, ${address.toLowerCase()}, ${label ?? null})
    on conflict (dao_id, address) do update set label = excluded.label`);
}

export async function unwatchAddress(db: Db, daoId: number, address: string): Promise<void> {
  await db.execute(sql`delete from watched_addresses where dao_id = ${daoId} and address = ${address.toLowerCase()}`);
}

export interface WatchedAddress {
  daoId: number;
  address: string;
  label: string | null;
}

export async function watchedAddresses(db: Db, daoIds?: number[]): Promise<WatchedAddress[]> {
  const rows = await rowsOf<{ dao_id: number; address: string; label: string | null }>(
    db,
    sql`
    select dao_id, address, label from watched_addresses
     where ${daoIds ? sql`dao_id = any(${sql.param(daoIds)}::integer[])` : sql`true`}
     order by dao_id, address`,
  );
  return rows.map((r) => ({ daoId: Number(r.dao_id), address: r.address, label: r.label }));
}

/** A proposal as the detectors see it: its window, state, quorum and current tally. */
export interface NoticeProposal {
  id: number;
  daoId: number;
  daoSlug: string;
  daoName: string;
  externalId: string;
  source: string;
  votingType: string;
  title: string;
  choices: string[];
  start: Date;
  end: Date;
  state: string;
  /** Decimal string, null when unknown. */
  quorum: string | null;
  scores: string[] | null;
  scoresTotal: string | null;
  /** Power cast by the stored votes (the tally rollup), null before it is computed. */
  vpCast: string | null;
  voters: number | null;
  outcome: string | null;
}

/**
 * Proposals worth a look at `now`: not ended, or ended within `lookbackHours`, of the given DAOs
 * (all when omitted). Cancelled ones are left out: nothing about them is news.
 */
export async function proposalsForNotice(
  db: Db,
  now: Date,
  lookbackHours: number,
  daoIds?: number[],
): Promise<NoticeProposal[]> {
  const since = new Date(now.getTime() - lookbackHours * 3600_000);
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
    select p.id, p.dao_id, d.slug, d.name, p.external_id, p.source, p.voting_type, p.title, p.choices, p.start, p."end",
           p.state, p.quorum::text as quorum, p.scores, p.scores_total::text as scores_total,
           t.vp_cast::text as vp_cast, t.voters, t.outcome
      from proposals p
      join daos d on d.id = p.dao_id
      left join proposal_tallies t on t.proposal_id = p.id
     where p."end" > ${since.toISOString()}::timestamptz
       and p.state not in ('canceled', 'cancelled')
       and ${daoIds ? sql`p.dao_id = any(${sql.param(daoIds)}::integer[])` : sql`true`}
     order by p.dao_id, p."end", p.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    daoId: Number(r.dao_id),
    daoSlug: r.slug as string,
    daoName: r.name as string,
    externalId: r.external_id as string,
    source: r.source as string,
    votingType: r.voting_type as string,
    title: r.title as string,
    choices: r.choices as string[],
    start: new Date(r.start as string),
    end: new Date(r.end as string),
    state: r.state as string,
    quorum: (r.quorum as string | null) ?? null,
    scores: (r.scores as string[] | null) ?? null,
    scoresTotal: (r.scores_total as string | null) ?? null,
    vpCast: (r.vp_cast as string | null) ?? null,
    voters: r.voters === null || r.voters === undefined ? null : Number(r.voters),
    outcome: (r.outcome as string | null) ?? null,
  }));
}

/**
 * For the late-vote curve: the DAO's newest `limit` proposals ended before `now` with votes, and
 * for each the share of its final power cast by the end of each tenth of its voting window
 * (cumulative; index 0 is the first tenth, index 9 the whole window).
 */
export async function lateVoteProfiles(db: Db, daoId: number, now: Date, limit: number): Promise<number[][]> {
  const rows = await rowsOf<{ proposal_id: number; decile: number; vp: number; total: number }>(
    db,
    sql`
    with ended as (
      select p.id, p.start, p."end" from proposals p
       where p.dao_id = ${daoId} and p."end" <= ${now.toISOString()}::timestamptz and p."end" > p.start
         and p.state not in ('canceled', 'cancelled')
         and exists (select 1 from votes v where v.proposal_id = p.id)
       order by p."end" desc limit ${limit}
    ), cast_ as (
      select e.id as proposal_id,
             least(9, greatest(0, floor(10 * extract(epoch from (v.created - e.start))
                                            / extract(epoch from (e."end" - e.start)))))::integer as decile,
             v.voting_power
        from ended e join votes v on v.proposal_id = e.id
    )
    select proposal_id, decile, sum(voting_power)::float8 as vp,
           sum(sum(voting_power)) over (partition by proposal_id)::float8 as total
      from cast_ group by proposal_id, decile order by proposal_id, decile`,
  );
  const byProposal = new Map<number, { deciles: number[]; total: number }>();
  for (const r of rows) {
    const id = Number(r.proposal_id);
    let entry = byProposal.get(id);
    if (!entry) byProposal.set(id, (entry = { deciles: new Array(10).fill(0), total: Number(r.total) }));
    entry.deciles[Number(r.decile)] = Number(r.vp);
  }
  const profiles: number[][] = [];
  for (const { deciles, total } of byProposal.values()) {
    if (!(total > 0)) continue;
    let running = 0;
    profiles.push(deciles.map((vp) => (running += vp) / total));
  }
  return profiles;
}

/** One (wallet, chain, token) balance at a snapshot time, for the outflow detector. */
export interface OutflowBalance {
  wallet: string;
  chain: string;
  token: string;
  timestamp: Date;
  amount: string;
  usdValue: string | null;
}

/**
 * Per (wallet, chain, token): the balance of its newest snapshot at or before `windowStart` and
 * of its newest snapshot at or before `now` (both, when present), for the DAOs given.
 */
export async function treasuryWindowBalances(
  db: Db,
  daoIds: number[],
  windowStart: Date,
  now: Date,
): Promise<Array<{ daoId: number; before: OutflowBalance | null; after: OutflowBalance }>> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`
    with latest as (
      select distinct on (dao_id, wallet, chain, token_symbol, token_address)
             dao_id, wallet, chain, token_symbol, token_address, timestamp, amount::text as amount, usd_value::text as usd_value
        from treasury_balances
       where dao_id = any(${sql.param(daoIds)}::integer[]) and timestamp <= ${now.toISOString()}::timestamptz
       order by dao_id, wallet, chain, token_symbol, token_address, timestamp desc
    ), earlier as (
      select distinct on (dao_id, wallet, chain, token_symbol, token_address)
             dao_id, wallet, chain, token_symbol, token_address, timestamp, amount::text as amount, usd_value::text as usd_value
        from treasury_balances
       where dao_id = any(${sql.param(daoIds)}::integer[]) and timestamp <= ${windowStart.toISOString()}::timestamptz
       order by dao_id, wallet, chain, token_symbol, token_address, timestamp desc
    )
    select l.dao_id, l.wallet, l.chain, l.token_symbol, l.token_address,
           l.timestamp as after_ts, l.amount as after_amount, l.usd_value as after_usd,
           e.timestamp as before_ts, e.amount as before_amount, e.usd_value as before_usd
      from latest l
      left join earlier e using (dao_id, wallet, chain, token_symbol, token_address)
     where l.timestamp > ${windowStart.toISOString()}::timestamptz
     order by l.dao_id, l.wallet, l.chain, l.token_symbol, l.token_address`,
  );
  return rows.map((r) => {
    const token = (r.token_address as string) ? `${r.token_symbol}:${r.token_address}` : (r.token_symbol as string);
    const base = { wallet: r.wallet as string, chain: r.chain as string, token };
    return {
      daoId: Number(r.dao_id),
      after: {
        ...base,
        timestamp: new Date(r.after_ts as string),
        amount: r.after_amount as string,
        usdValue: (r.after_usd as string | null) ?? null,
      },
      before:
        r.before_ts === null || r.before_ts === undefined
          ? null
          : {
              ...base,
              timestamp: new Date(r.before_ts as string),
              amount: r.before_amount as string,
              usdValue: (r.before_usd as string | null) ?? null,
            },
    };
  });
}

/** The DAO ids and slugs, to resolve a live event's slug. */
export async function daoIdBySlug(db: Db, slug: string): Promise<number | undefined> {
  const [row] = await rowsOf<{ id: number }>(db, sql`select id from daos where slug = ${slug}`);
  return row ? Number(row.id) : undefined;
}

/** DAOs with a proposal not ended, or ended within the lookback, or a treasury snapshot in the window. */
export async function daosToSweep(db: Db, now: Date, lookbackHours: number, outflowWindowHours: number) {
  const since = new Date(now.getTime() - lookbackHours * 3600_000).toISOString();
  const windowStart = new Date(now.getTime() - outflowWindowHours * 3600_000).toISOString();
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`
    select id from daos d
     where exists (select 1 from proposals p where p.dao_id = d.id and p."end" > ${since}::timestamptz)
        or exists (select 1 from treasury_balances b where b.dao_id = d.id
                    and b.timestamp > ${windowStart}::timestamptz and b.timestamp <= ${now.toISOString()}::timestamptz)
     order by id`,
  );
  return rows.map((r) => Number(r.id));
}

/** Which of `addresses` have a stored vote on each of `proposalIds`: `proposalId:address` strings. */
export async function votedAmong(db: Db, proposalIds: number[], addresses: string[]): Promise<Set<string>> {
  if (!proposalIds.length || !addresses.length) return new Set();
  const rows = await rowsOf<{ proposal_id: number; voter: string }>(
    db,
    sql`
    select proposal_id, voter from votes
     where proposal_id = any(${sql.param(proposalIds)}::bigint[]) and voter = any(${sql.param(addresses)}::text[])`,
  );
  return new Set(rows.map((r) => `${Number(r.proposal_id)}:${r.voter}`));
}

export async function daoNames(db: Db, ids: number[]): Promise<Map<number, { slug: string; name: string }>> {
  const rows = await rowsOf<{ id: number; slug: string; name: string }>(
    db,
    sql`select id, slug, name from daos where id = any(${sql.param(ids)}::integer[])`,
  );
  return new Map(rows.map((r) => [Number(r.id), { slug: r.slug, name: r.name }]));
}
