import { refreshDaoAggregates } from '../db/aggregates.ts';
import type { Database, Tx } from '../db/index.ts';
import { daoIdsBySlug, daoOwnersOf, upsertDaos } from '../db/queries/daos.ts';
import {
  type ProposalRef,
  proposalRefs,
  upsertProposals,
  upsertVotes,
  voteKey,
  voteReplaces,
} from '../db/queries/governance.ts';
import { upsertHolders } from '../db/queries/holders.ts';
import { recordImportRun } from '../db/queries/import-runs.ts';
import { upsertTreasuryBalances } from '../db/queries/treasury.ts';
import { foldByKey, type WriteCounts } from '../db/queries/upserts.ts';
import { isValidChoice, type VotingType } from '../metrics/snapshot-scoring.ts';
import type { RawRecord } from './reader.ts';
import type { RecordType } from './records.ts';
import { type Normalized, validateRecord } from './validate.ts';

export interface Rejection {
  /** Which input the record came from (file name or 'stdin'), when known. */
  source?: string;
  line: number;
  type?: string;
  field: string;
  reason: string;
}

export interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportSummary extends Counts {
  records: number;
  byType: Partial<Record<RecordType, Counts>>;
  seconds: number;
}

export interface ImportOptions {
  source?: string;
  batchSize?: number;
  onRejected?: (rejection: Rejection) => void;
  onProgress?: (recordsRead: number) => void;
  /** Collect at most this many rejections in the summary's list (all are still counted). */
  keepRejections?: number;
}

type Item = { line: number; record: Normalized };
type Of<T extends Normalized['type']> = Extract<Normalized, { type: T }>;
const TYPE_ORDER: RecordType[] = ['dao', 'proposal', 'vote', 'treasury_balance', 'holder'];
const emptyCounts = (): Counts => ({ inserted: 0, updated: 0, unchanged: 0, rejected: 0 });

/**
 * Loads canonical records into the database: validates each, upserts in batches inside
 * transactions, and reports every rejected record without letting it touch its neighbours.
 */
export class Importer {
  private readonly daoIds = new Map<string, number>();
  private readonly proposalRefs = new Map<string, ProposalRef>();
  private readonly touchedDaos = new Set<number>();
  /** Every DAO a valid record names (written or not): the import is their latest. */
  private readonly namedDaos = new Set<string>();
  private readonly summary: ImportSummary = { ...emptyCounts(), records: 0, byType: {}, seconds: 0 };
  readonly rejections: Rejection[] = [];

  constructor(
    private readonly database: Database,
    private readonly options: ImportOptions = {},
  ) {}

  async run(input: AsyncIterable<RawRecord>): Promise<ImportSummary> {
    const started = performance.now();
    const batchSize = this.options.batchSize ?? 2000;
    let batch: Item[] = [];
    for await (const raw of input) {
      this.summary.records++;
      if ('error' in raw) {
        this.reject({ line: raw.line, field: '(record)', reason: raw.error });
      } else {
        const result = validateRecord(raw.value);
        const type = (raw.value as { type?: unknown } | null)?.type;
        if (result.ok) {
          batch.push({ line: raw.line, record: result.record });
          const r = result.record as { type: string; slug?: string; dao?: string };
          this.namedDaos.add((r.type === 'dao' ? r.slug : r.dao) ?? '');
        } else this.reject({ line: raw.line, type: typeof type === 'string' ? type : undefined, ...result.problem });
      }
      if (batch.length >= batchSize) {
        await this.flush(batch);
        batch = [];
      }
      if (this.summary.records % 1000 === 0) this.options.onProgress?.(this.summary.records);
    }
    await this.flush(batch);
    this.options.onProgress?.(this.summary.records);
    await refreshDaoAggregates(this.database.db, [...this.touchedDaos]);
    this.summary.seconds = (performance.now() - started) / 1000;
    const named = await daoIdsBySlug(this.database.db, [...this.namedDaos].filter(Boolean));
    await recordImportRun(this.database.db, [...named.values()], {
      source: this.options.source ?? null,
      records: this.summary.records,
      inserted: this.summary.inserted,
      updated: this.summary.updated,
      unchanged: this.summary.unchanged,
      rejected: this.summary.rejected,
      seconds: this.summary.seconds,
    });
    return this.summary;
  }

  private counts(type: string | undefined): Counts {
    if (!type || !(TYPE_ORDER as string[]).includes(type)) return emptyCounts();
    return (this.summary.byType[type as RecordType] ??= emptyCounts());
  }

  private reject(rejection: Rejection) {
    const full = { ...(this.options.source ? { source: this.options.source } : {}), ...rejection };
    this.summary.rejected++;
    this.counts(rejection.type).rejected++;
    if (this.rejections.length < (this.options.keepRejections ?? 1000)) this.rejections.push(full);
    this.options.onRejected?.(full);
  }

  private tally(type: RecordType, total: number, written: WriteCounts) {
    const c = this.counts(type);
    c.inserted += written.inserted;
    c.updated += written.updated;
    c.unchanged += total - written.inserted - written.updated;
    this.summary.inserted += written.inserted;
    this.summary.updated += written.updated;
    this.summary.unchanged += total - written.inserted - written.updated;
  }

  private async flush(batch: Item[]) {
    if (batch.length === 0) return;
    for (const type of TYPE_ORDER) {
      const items = batch.filter((item) => item.record.type === type);
      if (items.length) await this.writeGroup(type, items);
    }
  }

  /** Writes one type's records in a transaction; if the database refuses the batch, retries row by row to isolate the bad one. */
  private async writeGroup(type: RecordType, items: Item[]) {
    const prepared = await this.prepare(type, items);
    if (prepared.length === 0) return;
    try {
      const written = await this.database.db.transaction((tx) =>
        this.write(
          tx,
          type,
          prepared.map((i) => i.row),
        ),
      );
      this.tally(type, prepared.length, written);
      for (const item of prepared) this.afterWrite(item.row);
    } catch {
      for (const item of prepared) {
        try {
          const written = await this.database.db.transaction((tx) => this.write(tx, type, [item.row]));
          this.tally(type, 1, written);
          this.afterWrite(item.row);
        } catch (error) {
          this.reject({
            line: item.line,
            type,
            field: '(record)',
            reason: `refused by the database: ${databaseReason(error)}`,
          });
        }
      }
    }
  }

  private afterWrite(row: Normalized & { daoId?: number }) {
    if (row.daoId !== undefined) this.touchedDaos.add(row.daoId);
    if (row.type === 'dao') this.daoIds.delete(row.slug);
    if (row.type === 'proposal') this.proposalRefs.delete(`${row.daoId}:${row.externalId}`);
  }

  private write(tx: Tx, type: RecordType, rows: any[]): Promise<WriteCounts> {
    switch (type) {
      case 'dao':
        return upsertDaos(tx, rows);
      case 'proposal':
        return upsertProposals(tx, rows);
      case 'vote':
        return upsertVotes(tx, rows);
      case 'treasury_balance':
        return upsertTreasuryBalances(tx, rows);
      case 'holder':
        return upsertHolders(tx, rows);
    }
  }

  /** Resolves references, applies cross-record rules, and folds duplicates of one key within the batch. */
  private async prepare(
    type: RecordType,
    items: Item[],
  ): Promise<Array<{ line: number; row: Normalized & { daoId?: number } }>> {
    if (type === 'dao') return this.prepareDaos(items);
    await this.loadDaoIds(items.map((i) => (i.record as { dao: string }).dao));
    const resolved: Array<{ line: number; row: any }> = [];
    for (const item of items) {
      const slug = (item.record as { dao: string }).dao;
      const daoId = this.daoIds.get(slug);
      if (daoId === undefined) {
        this.reject({
          line: item.line,
          type,
          field: 'dao',
          reason: `unknown DAO '${slug}' (import its dao record first)`,
        });
        continue;
      }
      resolved.push({ line: item.line, row: { ...item.record, daoId } });
    }
    if (type === 'vote') return this.prepareVotes(resolved);
    return dedupe(
      resolved,
      (r) => keyOf(r),
      () => true,
      (n) => this.tally(type, n, { inserted: 0, updated: 0 }),
    );
  }

  private async prepareDaos(items: Item[]) {
    const rows = items.map((i) => ({ line: i.line, row: i.record as Of<'dao'> }));
    const unique = dedupe(
      rows,
      (r) => r.slug,
      () => true,
      (n) => this.tally('dao', n, { inserted: 0, updated: 0 }),
    );
    // Name and Snapshot space are unique too; a clash with another slug is the record's fault, not the batch's.
    const owners = await daoOwnersOf(
      this.database.db,
      unique.map((u) => u.row.name),
      unique.map((u) => u.row.snapshotSpace).filter((s): s is string => !!s),
    );
    const seenNames = owners.names;
    const seenSpaces = owners.spaces;
    const accepted: typeof unique = [];
    for (const item of unique) {
      const nameOwner = seenNames.get(item.row.name);
      const spaceOwner = item.row.snapshotSpace ? seenSpaces.get(item.row.snapshotSpace) : undefined;
      if (nameOwner && nameOwner !== item.row.slug) {
        this.reject({
          line: item.line,
          type: 'dao',
          field: 'name',
          reason: `'${item.row.name}' is already the name of DAO '${nameOwner}'`,
        });
      } else if (spaceOwner && spaceOwner !== item.row.slug) {
        this.reject({
          line: item.line,
          type: 'dao',
          field: 'snapshot_space',
          reason: `'${item.row.snapshotSpace}' already belongs to DAO '${spaceOwner}'`,
        });
      } else {
        seenNames.set(item.row.name, item.row.slug);
        if (item.row.snapshotSpace) seenSpaces.set(item.row.snapshotSpace, item.row.slug);
        accepted.push(item);
      }
    }
    return accepted;
  }

  private async prepareVotes(items: Array<{ line: number; row: Of<'vote'> & { daoId: number } }>) {
    await this.loadProposalRefs(items.map((i) => [i.row.daoId, i.row.proposal] as const));
    const valid: Array<{ line: number; row: Of<'vote'> & { daoId: number; proposalId: number } }> = [];
    for (const item of items) {
      const ref = this.proposalRefs.get(`${item.row.daoId}:${item.row.proposal}`);
      if (!ref) {
        this.reject({
          line: item.line,
          type: 'vote',
          field: 'proposal',
          reason: `unknown proposal '${item.row.proposal}' in DAO '${item.row.dao}' (import its proposal record first)`,
        });
        continue;
      }
      // Without choice labels the range cannot be checked; the shape was checked by the schema.
      if (ref.choices > 0 && !isValidChoice(ref.votingType as VotingType, ref.choices, item.row.choice)) {
        this.reject({
          line: item.line,
          type: 'vote',
          field: 'choice',
          reason: `${JSON.stringify(item.row.choice)} is not a valid ${ref.votingType} choice for a proposal with ${ref.choices} choices`,
        });
        continue;
      }
      valid.push({ line: item.line, row: { ...item.row, proposalId: ref.id } });
    }
    return dedupe(
      valid,
      (r) => voteKey(r),
      (next, kept) => voteReplaces(next, kept),
      (n) => this.tally('vote', n, { inserted: 0, updated: 0 }),
    );
  }

  private async loadDaoIds(slugs: string[]) {
    const missing = [...new Set(slugs)].filter((s) => !this.daoIds.has(s));
    if (!missing.length) return;
    for (const [slug, id] of await daoIdsBySlug(this.database.db, missing)) this.daoIds.set(slug, id);
  }

  private async loadProposalRefs(keys: ReadonlyArray<readonly [number, string]>) {
    const missing = new Map<string, readonly [number, string]>();
    for (const key of keys) {
      const k = `${key[0]}:${key[1]}`;
      if (!this.proposalRefs.has(k)) missing.set(k, key);
    }
    if (!missing.size) return;
    for (const [key, ref] of await proposalRefs(this.database.db, [...missing.values()]))
      this.proposalRefs.set(key, ref);
  }
}

function keyOf(row: Normalized & { daoId?: number }): string {
  switch (row.type) {
    case 'dao':
      return row.slug;
    case 'proposal':
      return `${row.daoId}:${row.externalId}`;
    case 'vote':
      return `${row.daoId}:${row.proposal}:${row.voter}`;
    case 'treasury_balance':
      return `${row.daoId}:${row.timestamp.toISOString()}:${row.wallet}:${row.chain}:${row.tokenSymbol}:${row.tokenAddress}`;
    case 'holder':
      return `${row.daoId}:${row.address}:${row.asOf.toISOString()}`;
  }
}

/** Keeps one record per key (the statement may touch a row once); `replaces` decides which. */
function dedupe<R>(
  items: Array<{ line: number; row: R }>,
  key: (row: R) => string,
  replaces: (next: R, kept: R) => boolean,
  onFolded: (count: number) => void,
): Array<{ line: number; row: R }> {
  const kept = foldByKey(
    items,
    (item) => key(item.row),
    (next, prior) => replaces(next.row, prior.row),
  );
  if (kept.length < items.length) onFolded(items.length - kept.length);
  return kept;
}

function databaseReason(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause;
  const message = cause?.message ?? (error as Error).message ?? String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
