import { asc, eq, getTableColumns, inArray, or, type SQL, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { type Db, rowsOf } from '../client.ts';
import { prepared, runPrepared } from '../prepared.ts';
import { daos } from '../schema/index.ts';
import { countWrites, json, param, type WriteCounts } from './upserts.ts';

/** The DAO list's sorts, by column. */
export const DAO_SORTS = {
  id: 'id',
  name: 'name',
  treasury_value: 'treasury_value',
  total_members: 'total_members',
  active_proposals: 'active_proposals',
  total_proposals: 'total_proposals',
  total_votes: 'total_votes',
  participation_rate: 'participation_rate',
  turnout_vp: 'turnout_vp',
  voter_holder_ratio: 'voter_holder_ratio',
  median_voters: 'median_voters',
  created_at: 'created_at',
} as const;
export type DaoSort = keyof typeof DAO_SORTS;

export interface DaoListQuery {
  page: number;
  perPage: number;
  sort: DaoSort;
  order: 'asc' | 'desc';
  chain?: string | undefined;
  search?: string | undefined;
}

export type DaoRow = typeof daos.$inferSelect;

/** Every column of a DAO row, named as DaoRow spells it, for held statements. */
const DAO_ROW = `id, slug, name, description, chain, token_symbol as "tokenSymbol", governance_token as "governanceToken",
  snapshot_space as "snapshotSpace", governor_address as "governorAddress", token_address as "tokenAddress",
  treasury_addresses as "treasuryAddresses", treasury_tokens as "treasuryTokens", treasury_value as "treasuryValue",
  total_members as "totalMembers", active_proposals as "activeProposals", total_proposals as "totalProposals",
  total_votes as "totalVotes", participation_rate as "participationRate", turnout_vp as "turnoutVp",
  turnout_basis as "turnoutBasis", voter_holder_ratio as "voterHolderRatio", median_voters as "medianVoters",
  created_at as "createdAt", updated_at as "updatedAt"`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The list's filters: `$1` a lowercase chain (null: any), `$2` an ILIKE pattern on the name (null: any). */
const DAO_FILTER = '($1::text is null or chain = $1::text) and ($2::text is null or name ilike $2::text)';

const daoListStatements = new Map(
  Object.entries(DAO_SORTS).flatMap(([sort, column]) =>
    (['asc', 'desc'] as const).map(
      (order) =>
        [
          `${sort}:${order}`,
          prepared<DaoRow>(
            `dao_list_${sort}_${order}`,
            // A figure the data does not know sorts last in either direction: it is not ranked.
            `select ${DAO_ROW} from daos where ${DAO_FILTER}
              order by ${column} ${order} nulls last, id ${order} limit $3 offset $4`,
          ),
        ] as const,
    ),
  ),
);
const daoCountStatement = prepared<{ total: number }>(
  'dao_list_count',
  `select count(*)::int as total from daos where ${DAO_FILTER}`,
);

export async function listDaos(db: Db, q: DaoListQuery): Promise<{ rows: DaoRow[]; total: number }> {
  const filter = [q.chain ? q.chain.toLowerCase() : null, q.search ? `%${escapeLike(q.search)}%` : null];
  const [rows, [count]] = await Promise.all([
    runPrepared(db, daoListStatements.get(`${q.sort}:${q.order}`)!, [...filter, q.perPage, (q.page - 1) * q.perPage]),
    runPrepared(db, daoCountStatement, filter),
  ]);
  return { rows, total: count?.total ?? 0 };
}

/** `{id}` in a URL is the numeric id or the slug. */
const isDaoId = (key: string) => /^\d+$/.test(key) && Number(key) <= 2 ** 31 - 1;

export function daoKey(id: string): SQL {
  return isDaoId(id) ? eq(daos.id, Number(id)) : eq(daos.slug, id);
}

/** A DAO row with the version of its rollups: when they were last written (null: never). */
export interface VersionedDao {
  dao: DaoRow;
  version: string | null;
}

/** `$1` DAO ids, `$2` slugs: the DAOs with either, each with its rollups' version. */
const daosWithRollupVersionStatement = prepared<DaoRow & { rollupVersion: string | null }>(
  'daos_with_rollup_version',
  `select ${DAO_ROW}, (select r.refreshed_at::text from dao_rollup_state r where r.dao_id = daos.id) as "rollupVersion"
     from daos where id = any($1::int[]) or slug = any($2::text[])`,
);

/**
 * The DAOs named by `keys` (ids or slugs) with their rollup versions, in one read, by key; keys
 * naming no DAO are absent. Cached metric answers older than a DAO's version are stale.
 */
export async function daosWithRollupVersion(db: Db, keys: string[]): Promise<Map<string, VersionedDao>> {
  const found = new Map<string, VersionedDao>();
  if (keys.length === 0) return found;
  const ids = new Set(keys.filter(isDaoId).map(Number));
  const slugs = new Set(keys.filter((k) => !isDaoId(k)));
  const rows = await runPrepared(db, daosWithRollupVersionStatement, [[...ids], [...slugs]]);
  for (const { rollupVersion, ...dao } of rows) {
    const row = { dao, version: rollupVersion };
    if (ids.has(dao.id)) found.set(String(dao.id), row);
    if (slugs.has(dao.slug)) found.set(dao.slug, row);
  }
  return found;
}

const daoById = prepared<DaoRow>('dao_by_id', `select ${DAO_ROW} from daos where id = $1::int`);
const daoBySlug = prepared<DaoRow>('dao_by_slug', `select ${DAO_ROW} from daos where slug = $1`);

export async function getDao(db: Db, id: string): Promise<DaoRow> {
  const [row] = await runPrepared(db, isDaoId(id) ? daoById : daoBySlug, [id]);
  if (!row) throw new NotFoundError('DAO', id);
  return row;
}

export type DaoWrite = Partial<Omit<typeof daos.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>>;

const UNIQUE_FIELDS: Record<string, string> = {
  daos_slug_key: 'slug',
  daos_name_key: 'name',
  daos_snapshot_space_key: 'snapshot_space',
};

/** Turns a unique violation into a 409 naming the field; anything else propagates. */
function conflictOf(error: unknown): never {
  const cause =
    (error as { cause?: { code?: string; constraint?: string } }).cause ??
    (error as { code?: string; constraint?: string });
  if (cause?.code === '23505') {
    const field = UNIQUE_FIELDS[cause.constraint ?? ''] ?? 'a unique field';
    throw new ConflictError(`A DAO with this ${field} already exists`, { field });
  }
  throw error;
}

export async function createDao(db: Db, values: typeof daos.$inferInsert): Promise<DaoRow> {
  try {
    const [row] = await db.insert(daos).values(values).returning();
    return row!;
  } catch (error) {
    conflictOf(error);
  }
}

export async function updateDao(db: Db, id: string, values: DaoWrite): Promise<DaoRow> {
  try {
    const [row] = await db
      .update(daos)
      .set({ ...values, updatedAt: new Date() })
      .where(daoKey(id))
      .returning();
    if (!row) throw new NotFoundError('DAO', id);
    return row;
  } catch (error) {
    if (error instanceof NotFoundError) throw error;
    conflictOf(error);
  }
}

export async function deleteDao(db: Db, id: string): Promise<DaoRow> {
  const [row] = await db.delete(daos).where(daoKey(id)).returning();
  if (!row) throw new NotFoundError('DAO', id);
  return row;
}

export const daoColumns = getTableColumns(daos);

/** Every DAO, by id (the sync engine lists what to sync from these). */
export async function allDaos(db: Db): Promise<DaoRow[]> {
  return db.select().from(daos).orderBy(asc(daos.id));
}

/** Ids of every DAO, ascending. */
export async function allDaoIds(db: Db): Promise<number[]> {
  return (await db.select({ id: daos.id }).from(daos).orderBy(asc(daos.id))).map((r) => r.id);
}

/**
 * Stored votes per DAO, counted from the votes themselves (an index-only scan of votes by DAO):
 * `daos.total_votes` is written after the rollups, so before a first recompute it is 0.
 */
export async function storedVoteCounts(db: Db): Promise<Map<number, number>> {
  const rows = await rowsOf<{ id: number; n: number }>(
    db,
    sql`select dao_id as id, count(*)::int as n from votes group by dao_id`,
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Ids (as URL keys) of the `limit` DAOs with most votes: the default set of charted DAOs. */
const mostVotedStatement = prepared<{ id: number }>(
  'daos_most_voted',
  'select id from daos order by total_votes desc, id limit $1::int',
);

export async function mostVotedDaoKeys(db: Db, limit: number): Promise<string[]> {
  const rows = await runPrepared(db, mostVotedStatement, [limit]);
  return rows.map((r) => String(r.id));
}

/** A DAO as imports write it: by slug, every descriptive field given. */
export interface DaoUpsert {
  slug: string;
  name: string;
  description: string | null;
  chain: string;
  tokenSymbol: string | null;
  governanceToken: string | null;
  snapshotSpace: string | null;
  governorAddress: string | null;
  tokenAddress: string | null;
  treasuryAddresses: string[];
  treasuryTokens: string[];
}

/** Upserts DAOs by slug (the caller keeps one row per slug and checks name and space owners first). */
export function upsertDaos(db: Db, rows: DaoUpsert[]): Promise<WriteCounts> {
  return countWrites(
    db,
    sql`
    insert into daos as d (slug, name, description, chain, token_symbol, governance_token, snapshot_space,
      governor_address, token_address, treasury_addresses, treasury_tokens)
    select t.slug, t.name, t.description, t.chain, t.token_symbol, t.governance_token, t.snapshot_space,
      t.governor_address, t.token_address, array(select jsonb_array_elements_text(t.treasury_addresses)),
      array(select jsonb_array_elements_text(t.treasury_tokens))
    from unnest(${param(rows.map((r) => r.slug))}::text[], ${param(rows.map((r) => r.name))}::text[],
      ${param(rows.map((r) => r.description))}::text[], ${param(rows.map((r) => r.chain))}::text[],
      ${param(rows.map((r) => r.tokenSymbol))}::text[], ${param(rows.map((r) => r.governanceToken))}::text[],
      ${param(rows.map((r) => r.snapshotSpace))}::text[], ${param(rows.map((r) => r.governorAddress))}::text[],
      ${param(rows.map((r) => r.tokenAddress))}::text[], ${param(rows.map((r) => json(r.treasuryAddresses)))}::jsonb[],
      ${param(rows.map((r) => json(r.treasuryTokens)))}::jsonb[])
      as t(slug, name, description, chain, token_symbol, governance_token, snapshot_space, governor_address, token_address, treasury_addresses, treasury_tokens)
    on conflict (slug) do update set name = excluded.name, description = excluded.description, chain = excluded.chain,
      token_symbol = excluded.token_symbol, governance_token = excluded.governance_token,
      snapshot_space = excluded.snapshot_space, governor_address = excluded.governor_address,
      token_address = excluded.token_address, treasury_addresses = excluded.treasury_addresses,
      treasury_tokens = excluded.treasury_tokens, updated_at = now()
    where (d.name, d.description, d.chain, d.token_symbol, d.governance_token, d.snapshot_space, d.governor_address,
           d.token_address, d.treasury_addresses, d.treasury_tokens)
      is distinct from (excluded.name, excluded.description, excluded.chain, excluded.token_symbol, excluded.governance_token,
           excluded.snapshot_space, excluded.governor_address, excluded.token_address, excluded.treasury_addresses, excluded.treasury_tokens)
    returning (xmax = 0) as inserted`,
  );
}

/** Ids of the DAOs with these slugs; unknown slugs are absent. */
export async function daoIdsBySlug(db: Db, slugs: string[]): Promise<Map<string, number>> {
  if (slugs.length === 0) return new Map();
  const rows = await db.select({ id: daos.id, slug: daos.slug }).from(daos).where(inArray(daos.slug, slugs));
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/** Which DAO (by slug) already holds each of these names and Snapshot spaces (both are unique). */
export async function daoOwnersOf(
  db: Db,
  names: string[],
  spaces: string[],
): Promise<{ names: Map<string, string>; spaces: Map<string, string> }> {
  const rows =
    names.length || spaces.length
      ? await db
          .select({ slug: daos.slug, name: daos.name, space: daos.snapshotSpace })
          .from(daos)
          .where(
            or(
              names.length ? inArray(daos.name, names) : undefined,
              spaces.length ? inArray(daos.snapshotSpace, spaces) : undefined,
            ),
          )
      : [];
  return {
    names: new Map(rows.map((r) => [r.name, r.slug])),
    spaces: new Map(rows.filter((r) => r.space).map((r) => [r.space!, r.slug])),
  };
}
