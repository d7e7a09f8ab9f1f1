import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf, type Tx } from '../client.ts';
import type { NotificationEvent, NotificationKind } from '../notification-event.ts';
import { param } from './upserts.ts';

/**
 * The reads the governance detectors need (src/notify/detectors decide; these only fetch), the
 * ledger of events already decided, and the watched addresses. Shapes are plain rows: src/db
 * knows nothing of the notification types above it (they match structurally).
 */

/** A notification as the ledger stores it (the shape of NotificationEvent). */
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

/**
 * A subscription option as a number, null when the subscription sets none (or something that is
 * not a plain decimal, which the API never stores): `hours` is a JSON number, `threshold` a
 * decimal string; both read as text here. Delivery and detection read options through this one
 * expression, so what an event was detected for is what it is delivered by.
 */
const optionNumber = (key: SQL) =>
  sql`(case when s.options ->> ${key} ~ '^[0-9]+([.][0-9]+)?$' then (s.options ->> ${key})::numeric end)`;

export interface WatchedAddress {
  daoId: number;
  address: string;
  /** The watching subscription's `hours` option; absent when it sets none (NOTIFY_NOT_VOTED_HOURS applies). */
  hours?: number;
}

/**
 * The watched addresses per DAO: those a live subscription to delegate.not_voted names in its
 * `addresses` option (the one place they are kept), lowercase, each once per DAO and `hours`
 * value the naming subscriptions set.
 */
export async function watchedAddresses(db: Db, daoIds?: number[]): Promise<WatchedAddress[]> {
  const rows = await rowsOf<{ dao_id: number; address: string; hours: string | null }>(
    db,
    sql`
    select distinct s.dao_id, lower(a.address) as address, trim_scale(${optionNumber(sql`'hours'`)})::text as hours
      from notification_subscriptions s
      join notification_channels c on c.id = s.channel_id
     cross join lateral jsonb_array_elements_text(
             case when jsonb_typeof(s.options -> 'addresses') = 'array' then s.options -> 'addresses' else '[]'::jsonb end
           ) as a(address)
     where s.deleted_at is null and c.deleted_at is null
       and 'delegate.not_voted' = any (s.events)
       and ${daoIds ? sql`s.dao_id = any(${sql.param(daoIds)}::integer[])` : sql`true`}
     order by s.dao_id, address, hours nulls first`,
  );
  return rows.map((r) => ({
    daoId: Number(r.dao_id),
    address: r.address,
    ...(r.hours === null ? {} : { hours: Number(r.hours) }),
  }));
}

/** An option value a live subscription sets for one of its events. */
export interface SubscribedOptionValue {
  daoId: number;
  kind: 'proposal.ending' | 'treasury.outflow';
  /** The value as a canonical decimal string (no trailing zeros): `hours`, or the `threshold` in USD. */
  value: string;
}

/**
 * The distinct values the live subscriptions of these DAOs set for the options that change what
 * is detected: `hours` of proposal.ending and `threshold` of treasury.outflow (subscriptions that
 * set none are not listed: they get the configured default). The hours of delegate.not_voted
 * come with the watched addresses (watchedAddresses).
 */
export async function subscribedOptionValues(db: Db, daoIds: number[]): Promise<SubscribedOptionValue[]> {
  if (!daoIds.length) return [];
  const rows = await rowsOf<{ dao_id: number; kind: SubscribedOptionValue['kind']; value: string }>(
    db,
    sql`
    select distinct s.dao_id, o.kind, trim_scale(o.value)::text as value
      from notification_subscriptions s
      join notification_channels c on c.id = s.channel_id
     cross join lateral (values ('proposal.ending', ${optionNumber(sql`'hours'`)}),
                                ('treasury.outflow', ${optionNumber(sql`'threshold'`)})) as o(kind, value)
     where s.deleted_at is null and c.deleted_at is null
       and o.value is not null and o.kind = any (s.events)
       and s.dao_id = any(${sql.param(daoIds)}::integer[])
     order by s.dao_id, o.kind, value`,
  );
  return rows.map((r) => ({ daoId: Number(r.dao_id), kind: r.kind, value: r.value }));
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

// ---- Delivery: channels, subscriptions and the outbox (src/notify/dispatcher.ts) ----

/**
 * Notification channels, subscriptions and the delivery outbox. What a channel does is decided in
 * src/notify; this file stores them, queues deliveries in the caller's transaction and hands the
 * dispatcher its claims.
 */
export const CHANNEL_KINDS = ['email', 'slack', 'discord', 'telegram', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface ChannelRow {
  id: number;
  ownerUserId: number | null;
  operator: boolean;
  origin: 'api' | 'env';
  name: string;
  kind: ChannelKind;
  targetHint: string;
  secretSealed: string | null;
  secretHint: string | null;
  createdAt: Date;
  deletedAt: Date | null;
}

interface ChannelRecord {
  id: number;
  owner_user_id: number | null;
  operator: boolean;
  origin: 'api' | 'env';
  name: string;
  kind: ChannelKind;
  target_hint: string;
  secret_sealed: string | null;
  secret_hint: string | null;
  created_at: Date | string;
  deleted_at: Date | string | null;
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v));
const channelOf = (r: ChannelRecord): ChannelRow => ({
  id: r.id,
  ownerUserId: r.owner_user_id,
  operator: r.operator,
  origin: r.origin,
  name: r.name,
  kind: r.kind,
  targetHint: r.target_hint,
  secretSealed: r.secret_sealed,
  secretHint: r.secret_hint,
  createdAt: new Date(r.created_at),
  deletedAt: date(r.deleted_at),
});

export interface NewChannel {
  ownerUserId: number | null;
  origin?: 'api' | 'env';
  name: string;
  kind: ChannelKind;
  targetHint: string;
  secretSealed: string;
  secretHint: string | null;
}

export async function insertChannel(db: Db, channel: NewChannel): Promise<ChannelRow> {
  const [row] = await rowsOf<ChannelRecord>(
    db,
    sql`insert into notification_channels (owner_user_id, operator, origin, name, kind, target_hint, secret_sealed, secret_hint)
        values (${channel.ownerUserId}, ${channel.ownerUserId === null}, ${channel.origin ?? 'api'}, ${channel.name},
                ${channel.kind}, ${channel.targetHint}, ${channel.secretSealed}, ${channel.secretHint})
        returning *`,
  );
  return channelOf(row!);
}

/** Live channels: a user's own (ownerUserId), the operator channels (null), or every one (undefined). */
export async function listChannels(db: Db, owner?: number | null): Promise<ChannelRow[]> {
  const filter = owner === undefined ? sql`` : owner === null ? sql`and operator` : sql`and owner_user_id = ${owner}`;
  const rows = await rowsOf<ChannelRecord>(
    db,
    sql`select * from notification_channels where deleted_at is null ${filter} order by id`,
  );
  return rows.map(channelOf);
}

export async function getChannel(db: Db, id: number): Promise<ChannelRow | undefined> {
  const [row] = await rowsOf<ChannelRecord>(
    db,
    sql`select * from notification_channels where id = ${id} and deleted_at is null`,
  );
  return row && channelOf(row);
}

/**
 * Deletes a channel: its sealed secret is erased, its subscriptions end, and what it still had to
 * deliver fails with the reason. The row stays for the deliveries' history.
 */
export async function deleteChannel(tx: Tx, id: number): Promise<void> {
  await tx.execute(sql`update notification_channels set deleted_at = now(), secret_sealed = null where id = ${id}`);
  await tx.execute(
    sql`update notification_subscriptions set deleted_at = now() where channel_id = ${id} and deleted_at is null`,
  );
  await tx.execute(sql`
    update notification_outbox set status = 'failed', last_error = 'channel deleted', claim_token = null, updated_at = now()
     where channel_id = ${id} and status in ('pending', 'sending')`);
}

/**
 * Makes the channels from ALERT_CHANNELS (origin 'env', named by the variable's entries) exactly
 * `wanted`: new entries are added, changed ones replaced, missing ones deleted.
 */
export async function syncEnvChannels(
  tx: Tx,
  wanted: { name: string; kind: ChannelKind; targetHint: string; fingerprint: string; seal: () => string }[],
): Promise<void> {
  const existing = await rowsOf<ChannelRecord>(
    tx,
    sql`select * from notification_channels where origin = 'env' and deleted_at is null for update`,
  );
  const byName = new Map(existing.map((r) => [r.name, r]));
  for (const entry of wanted) {
    const current = byName.get(entry.name);
    byName.delete(entry.name);
    // secret_hint holds the entry's fingerprint for env channels: equal means unchanged.
    if (current && current.kind === entry.kind && current.secret_hint === entry.fingerprint) continue;
    if (current) await deleteChannel(tx, current.id);
    await insertChannel(tx, {
      ownerUserId: null,
      origin: 'env',
      name: entry.name,
      kind: entry.kind,
      targetHint: entry.targetHint,
      secretSealed: entry.seal(),
      secretHint: entry.fingerprint,
    });
  }
  for (const stale of byName.values()) await deleteChannel(tx, stale.id);
}

export interface SubscriptionRow {
  id: number;
  userId: number;
  daoId: number;
  daoSlug: string;
  channelId: number;
  events: NotificationKind[];
  options: Record<string, unknown>;
  createdAt: Date;
}

interface SubscriptionRecord {
  id: number;
  user_id: number;
  dao_id: number;
  dao_slug: string;
  channel_id: number;
  events: NotificationKind[];
  options: Record<string, unknown> | string;
  created_at: Date | string;
}

const subscriptionOf = (r: SubscriptionRecord): SubscriptionRow => ({
  id: r.id,
  userId: r.user_id,
  daoId: r.dao_id,
  daoSlug: r.dao_slug,
  channelId: r.channel_id,
  events: r.events,
  options: typeof r.options === 'string' ? JSON.parse(r.options) : r.options,
  createdAt: new Date(r.created_at),
});

const SUBSCRIPTION_COLUMNS = sql.raw(
  's.id, s.user_id, s.dao_id, d.slug as dao_slug, s.channel_id, s.events, s.options, s.created_at',
);

export async function insertSubscription(
  db: Db,
  s: { userId: number; daoId: number; channelId: number; events: NotificationKind[]; options: Record<string, unknown> },
): Promise<SubscriptionRow> {
  const [row] = await rowsOf<{ id: number }>(
    db,
    sql`insert into notification_subscriptions (user_id, dao_id, channel_id, events, options)
        values (${s.userId}, ${s.daoId}, ${s.channelId}, ${param(s.events)}::text[], ${JSON.stringify(s.options)}::jsonb)
        returning id`,
  );
  return (await getSubscription(db, row!.id))!;
}

export async function getSubscription(db: Db, id: number): Promise<SubscriptionRow | undefined> {
  const [row] = await rowsOf<SubscriptionRecord>(
    db,
    sql`select ${SUBSCRIPTION_COLUMNS} from notification_subscriptions s join daos d on d.id = s.dao_id
         where s.id = ${id} and s.deleted_at is null`,
  );
  return row && subscriptionOf(row);
}

/** Live subscriptions of one user, or of everyone (undefined). */
export async function listSubscriptions(db: Db, userId?: number): Promise<SubscriptionRow[]> {
  const rows = await rowsOf<SubscriptionRecord>(
    db,
    sql`select ${SUBSCRIPTION_COLUMNS} from notification_subscriptions s join daos d on d.id = s.dao_id
         where s.deleted_at is null ${userId === undefined ? sql`` : sql`and s.user_id = ${userId}`} order by s.id`,
  );
  return rows.map(subscriptionOf);
}

export async function deleteSubscription(db: Db, id: number): Promise<void> {
  await db.execute(sql`update notification_subscriptions set deleted_at = now() where id = ${id}`);
}

/**
 * Queues the deliveries of `events`, inside the caller's transaction (the one that stored the fact
 * the events tell of, so an event is queued if and only if its cause is committed): one outbox row
 * per live subscription of the event's DAO that asked for its kind (and, for an event naming an
 * address, whose `addresses` option lists it: a subscriber is told only of the delegates they
 * watch, not of those someone else does), and one per live operator channel for
 * `operator.alert`. An event detected for one value of a subscription option (its `audience`:
 * `hours`, `threshold`) reaches only the subscriptions with that value (and those setting none
 * when it is the default). Each row is unique per (subscription or channel, event key): an event already
 * queued is skipped, so re-evaluating a detector never queues the same fact twice.
 * Returns the number of rows queued.
 */
export async function recordNotifications(tx: Tx, events: readonly NotificationEvent[]): Promise<number> {
  let queued = 0;
  for (const event of events) {
    const payload = JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() });
    const address = typeof event.facts.address === 'string' ? event.facts.address.toLowerCase() : null;
    const audience = event.audience;
    const rows =
      event.kind === 'operator.alert'
        ? await rowsOf<{ id: number }>(
            tx,
            sql`insert into notification_outbox (target, event_key, kind, channel_id, user_id, dao_id, event)
                select 'c:' || c.id, ${event.key}, ${event.kind}, c.id, null, ${event.daoId}, ${payload}::jsonb
                  from notification_channels c where c.operator and c.deleted_at is null
                on conflict (target, event_key) do nothing returning id`,
          )
        : await rowsOf<{ id: number }>(
            tx,
            sql`insert into notification_outbox (target, event_key, kind, channel_id, subscription_id, user_id, dao_id, event)
                select 's:' || s.id, ${event.key}, ${event.kind}, s.channel_id, s.id, s.user_id, s.dao_id, ${payload}::jsonb
                  from notification_subscriptions s join notification_channels c on c.id = s.channel_id
                 where s.dao_id = ${event.daoId} and s.deleted_at is null and c.deleted_at is null
                   and ${event.kind} = any (s.events)
                   and (${address}::text is null
                        or (jsonb_typeof(s.options -> 'addresses') = 'array'
                            and s.options -> 'addresses' ? ${address}::text))
                   and (${audience?.option ?? null}::text is null
                        or coalesce(${optionNumber(sql`${audience?.option ?? null}::text`)} = ${audience?.value ?? null}::numeric,
                                    ${audience?.orUnset ? 'true' : 'false'}::boolean))
                on conflict (target, event_key) do nothing returning id`,
          );
    queued += rows.length;
  }
  return queued;
}

/** A test message through one channel: queued like any delivery, under a key of its own. */
export async function queueChannelTest(db: Db, channel: ChannelRow, event: NotificationEvent): Promise<DeliveryRow> {
  const [row] = await rowsOf<{ id: number }>(
    db,
    sql`insert into notification_outbox (target, event_key, kind, channel_id, user_id, event)
        values (${`c:${channel.id}`}, ${event.key}, ${event.kind}, ${channel.id}, ${channel.ownerUserId},
                ${JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() })}::jsonb)
        returning id`,
  );
  return (await getDelivery(db, row!.id))!;
}

export interface DeliveryRow {
  id: number;
  target: string;
  eventKey: string;
  kind: NotificationKind;
  channelId: number;
  channelKind: ChannelKind;
  channelName: string;
  subscriptionId: number | null;
  userId: number | null;
  daoId: number | null;
  event: NotificationEvent;
  status: DeliveryStatus;
  attempts: number;
  unknownOutcomes: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

interface DeliveryRecord {
  id: number;
  target: string;
  event_key: string;
  kind: NotificationKind;
  channel_id: number;
  channel_kind: ChannelKind;
  channel_name: string;
  subscription_id: number | null;
  user_id: number | null;
  dao_id: number | null;
  event: (Omit<NotificationEvent, 'occurredAt'> & { occurredAt: string }) | string;
  status: DeliveryStatus;
  attempts: number;
  unknown_outcomes: number;
  next_attempt_at: Date | string;
  last_status: number | null;
  last_error: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
}

const deliveryOf = (r: DeliveryRecord): DeliveryRow => {
  const event = typeof r.event === 'string' ? JSON.parse(r.event) : r.event;
  return {
    id: r.id,
    target: r.target,
    eventKey: r.event_key,
    kind: r.kind,
    channelId: r.channel_id,
    channelKind: r.channel_kind,
    channelName: r.channel_name,
    subscriptionId: r.subscription_id,
    userId: r.user_id,
    daoId: r.dao_id,
    event: { ...event, occurredAt: new Date(event.occurredAt) },
    status: r.status,
    attempts: r.attempts,
    unknownOutcomes: r.unknown_outcomes,
    nextAttemptAt: new Date(r.next_attempt_at),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
    sentAt: date(r.sent_at),
  };
};

const DELIVERY_COLUMNS = sql.raw(`o.id, o.target, o.event_key, o.kind, o.channel_id, c.kind as channel_kind,
  c.name as channel_name, o.subscription_id, o.user_id, o.dao_id, o.event, o.status, o.attempts, o.unknown_outcomes,
  o.next_attempt_at, o.last_status, o.last_error, o.created_at, o.sent_at`);

export async function getDelivery(db: Db, id: number): Promise<DeliveryRow | undefined> {
  const [row] = await rowsOf<DeliveryRecord>(
    db,
    sql`select ${DELIVERY_COLUMNS} from notification_outbox o join notification_channels c on c.id = o.channel_id
         where o.id = ${id}`,
  );
  return row && deliveryOf(row);
}

export interface DeliveryFilter {
  /** A user's own deliveries; null: the operator alerts; undefined: every delivery. */
  userId?: number | null;
  status?: DeliveryStatus | undefined;
  channelId?: number | undefined;
  /** Keyset paging: deliveries with an id below this one. */
  before?: number | undefined;
  limit: number;
}

/** Deliveries, newest first. */
export async function listDeliveries(db: Db, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  const conditions = [sql`true`];
  if (filter.userId === null) conditions.push(sql`o.user_id is null`);
  else if (filter.userId !== undefined) conditions.push(sql`o.user_id = ${filter.userId}`);
  if (filter.status) conditions.push(sql`o.status = ${filter.status}`);
  if (filter.channelId !== undefined) conditions.push(sql`o.channel_id = ${filter.channelId}`);
  if (filter.before !== undefined) conditions.push(sql`o.id < ${filter.before}`);
  const rows = await rowsOf<DeliveryRecord>(
    db,
    sql`select ${DELIVERY_COLUMNS} from notification_outbox o join notification_channels c on c.id = o.channel_id
         where ${sql.join(conditions, sql` and `)} order by o.id desc limit ${filter.limit}`,
  );
  return rows.map(deliveryOf);
}

/** A delivery handed to one dispatcher, with what it needs to send it. */
export interface Claim extends DeliveryRow {
  claimToken: string;
  /** The channel's sealed target and secret. */
  secretSealed: string | null;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`: pending ones whose time has come, and ones a
 * dispatcher claimed but never marked before its claim lapsed (it died; `unknown_outcomes` counts
 * them, since it may have sent). SKIP LOCKED lets any number of dispatchers claim at once without
 * taking the same row; the claim commits before anything is sent.
 */
export async function claimDeliveries(
  db: Db,
  token: string,
  limit: number,
  leaseMs: number,
  /** Only this delivery (the channel test sends its message at once). */
  onlyId?: number,
): Promise<Claim[]> {
  const claimed = await rowsOf<{ id: number }>(
    db,
    sql`update notification_outbox o
           set status = 'sending', claim_token = ${token}, attempts = o.attempts + 1,
               unknown_outcomes = o.unknown_outcomes + (case when o.status = 'sending' then 1 else 0 end),
               claimed_until = now() + ${leaseMs} * interval '1 millisecond',
               next_attempt_at = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
         where o.id in (select id from notification_outbox
                         where status in ('pending', 'sending') and next_attempt_at <= now()
                           ${onlyId === undefined ? sql`` : sql`and id = ${onlyId}`}
                         order by next_attempt_at, id limit ${limit} for update skip locked)
        returning o.id`,
  );
  if (!claimed.length) return [];
  const rows = await rowsOf<DeliveryRecord & { claim_token: string; secret_sealed: string | null }>(
    db,
    sql`select ${DELIVERY_COLUMNS}, o.claim_token, c.secret_sealed
          from notification_outbox o join notification_channels c on c.id = o.channel_id
         where o.id = any (${param(claimed.map((r) => r.id))}::bigint[]) and o.claim_token = ${token}
         order by o.id`,
  );
  return rows.map((r) => ({ ...deliveryOf(r), claimToken: r.claim_token, secretSealed: r.secret_sealed }));
}

export type DeliveryOutcome =
  | { kind: 'sent'; status: number | null }
  | { kind: 'retry'; at: Date; status: number | null; error: string }
  | { kind: 'failed'; status: number | null; error: string };

/**
 * Records what became of a claimed delivery. Only the claim's holder can: a dispatcher whose claim
 * lapsed and went to another finds no row (false), and changes nothing.
 */
export async function markDelivery(db: Db, id: number, token: string, outcome: DeliveryOutcome): Promise<boolean> {
  const status = outcome.kind === 'retry' ? 'pending' : outcome.kind;
  const error = outcome.kind === 'sent' ? null : outcome.error.slice(0, 1000);
  const next = outcome.kind === 'retry' ? outcome.at.toISOString() : null;
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`update notification_outbox
           set status = ${status}, claim_token = null, claimed_until = null, last_status = ${outcome.status},
               last_error = ${error}, updated_at = now(),
               next_attempt_at = coalesce(${next}::timestamptz, next_attempt_at),
               sent_at = case when ${status} = 'sent' then now() else sent_at end
         where id = ${id} and claim_token = ${token} and status = 'sending'
        returning id`,
  );
  return rows.length === 1;
}

/** Counts by status (for tests, the CLI and health). */
export async function deliveryCounts(db: Db): Promise<Record<DeliveryStatus, number>> {
  const rows = await rowsOf<{ status: DeliveryStatus; n: number }>(
    db,
    sql`select status, count(*)::int as n from notification_outbox group by status`,
  );
  const counts = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** The soonest time a delivery falls due, for a dispatcher deciding how long to sleep. */
export async function nextDue(db: Db): Promise<Date | null> {
  const [row] = await rowsOf<{ at: Date | string | null }>(
    db,
    sql`select min(next_attempt_at) as at from notification_outbox where status in ('pending', 'sending')`,
  );
  return row?.at ? new Date(row.at) : null;
}
