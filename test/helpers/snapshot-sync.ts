import { sql } from 'drizzle-orm';
import pino from 'pino';
import { type Database, rowsOf } from '../../src/db/index.ts';
import type { DaoRow } from '../../src/db/queries/daos.ts';
import { SnapshotClient } from '../../src/sources/snapshot/client.ts';
import { SnapshotSource } from '../../src/sources/snapshot/source.ts';
import { runSync } from '../../src/sync/run.ts';
import type { LiveEvent } from '../../src/sync/types.ts';
import type { HubData } from './snapshot-hub/index.ts';

/** Shared by the Snapshot sync tests, the kill-loop child and the bench. */
export const quiet = pino({ level: 'silent' });

/** One DAO per stand-in space, slug derived from the space id. */
export async function createSpaceDaos(database: Database, spaces: string[]): Promise<DaoRow[]> {
  const daos: DaoRow[] = [];
  for (const space of spaces) {
    const slug = space.replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '');
    await database.db.execute(
      sql`insert into daos (slug, name, chain, snapshot_space) values (${slug}, ${space}, 'ethereum', ${space}) on conflict (slug) do nothing`,
    );
    daos.push(await daoBySlug(database, slug));
  }
  return daos;
}

export async function daoBySlug(database: Database, slug: string): Promise<DaoRow> {
  const { daos } = await import('../../src/db/schema/index.ts');
  const { eq } = await import('drizzle-orm');
  const [row] = await database.db.select().from(daos).where(eq(daos.slug, slug));
  if (!row) throw new Error(`no DAO ${slug}`);
  return row;
}

export interface SyncOptions {
  url: string;
  windowMs?: number;
  pageSize?: number;
  events?: LiveEvent[];
  maxRetryAfterMs?: number;
}

export function snapshotSource(options: SyncOptions): { source: SnapshotSource; client: SnapshotClient } {
  const client = new SnapshotClient({
    hubUrl: options.url,
    apiKey: undefined,
    rateLimit: 90,
    windowMs: options.windowMs ?? 1000,
    baseDelayMs: 20,
    maxDelayMs: 500,
    maxAttempts: 12,
    maxRetryAfterMs: options.maxRetryAfterMs,
  });
  return { source: new SnapshotSource(client, { pageSize: options.pageSize }), client };
}

/** Syncs every DAO once with the default rate (90 per window) and returns the outcomes. */
export async function syncAll(database: Database, daos: DaoRow[], options: SyncOptions) {
  const { source } = snapshotSource(options);
  const outcomes = [];
  for (const dao of daos) {
    outcomes.push(await runSync({ database, dao, source, logger: quiet, publish: (e) => options.events?.push(e) }));
  }
  return outcomes;
}

/** Proposals and votes of a DAO as comparable plain rows (no serial ids or bookkeeping times). */
export async function storedRows(database: Database, daoId: number) {
  const proposals = await rowsOf<Record<string, unknown>>(
    database.db,
    sql`
    select external_id, source, voting_type, title, body, author, choices, extract(epoch from start)::float8 as start, extract(epoch from "end")::float8 as "end", state, quorum::text as quorum,
           snapshot_block::float8 as snapshot_block, scores, scores_total::text as scores_total, votes_count
      from proposals where dao_id = ${daoId} order by external_id`,
  );
  const votes = await rowsOf<Record<string, unknown>>(
    database.db,
    sql`
    select p.external_id as proposal, v.voter, v.choice, v.voting_power::text as voting_power, v.reason, extract(epoch from v.created)::float8 as created
      from votes v join proposals p on p.id = v.proposal_id where v.dao_id = ${daoId} order by p.external_id, v.voter`,
  );
  const [dao] = await rowsOf<Record<string, unknown>>(
    database.db,
    sql`
    select total_proposals, total_votes, total_members, active_proposals, participation_rate::text as participation_rate from daos where id = ${daoId}`,
  );
  return { proposals, votes, dao };
}

/** Row versions (xmin) of a DAO's proposals and votes: equal before and after a run only if it wrote nothing. */
export async function rowVersions(database: Database, daoId: number): Promise<string[]> {
  const rows = await rowsOf<{ v: string }>(
    database.db,
    sql`
    select 'p' || id || ':' || xmin::text as v from proposals where dao_id = ${daoId}
    union all select 'v' || id || ':' || xmin::text from votes where dao_id = ${daoId} order by 1`,
  );
  return rows.map((r) => r.v);
}

/** What the hub holds for a space, shaped like storedRows (numbers compared as doubles by the caller). */
export function hubRows(data: HubData, space: string) {
  const proposals = [...data.proposals.values()]
    .filter((p) => p.space === space)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const votes = [...data.votes.values()]
    .filter((v) => v.space === space)
    .sort((a, b) =>
      a.proposal < b.proposal
        ? -1
        : a.proposal > b.proposal
          ? 1
          : a.voter.toLowerCase() < b.voter.toLowerCase()
            ? -1
            : 1,
    );
  return { proposals, votes };
}
