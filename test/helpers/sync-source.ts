import { sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../src/db/index.ts';
import type { DaoRow } from '../../src/db/queries/daos.ts';
import type { SourceName, SyncContext, SyncOutcome, SyncSource } from '../../src/sync/types.ts';

/**
 * What one run of the test source does: `ok` stores the next `perRun` proposals with the cursor;
 * `fail` throws before writing; `fail-in-tx` stores rows and cursor, then throws inside the same
 * transaction (both must roll back).
 */
export type Step = 'ok' | 'fail' | 'fail-in-tx';

/**
 * A source for testing the engine, not a connector: it writes real proposal rows through the
 * store it is handed, advancing a cursor `{n}` (proposals stored so far) in the same transaction,
 * and records how its runs overlapped.
 */
export class TestSource implements SyncSource {
  runs = 0;
  active = 0;
  maxActive = 0;
  readonly starts: number[] = [];

  constructor(
    /** Only DAOs with this Snapshot space (a box when the DAO is created later): each test gets its own DAO and source. */
    private readonly space: string | { value: string },
    private readonly options: { steps?: Step[]; perRun?: number; delayMs?: number; name?: SourceName } = {},
  ) {}

  get name(): SourceName {
    return this.options.name ?? 'snapshot';
  }

  appliesTo(dao: DaoRow): boolean {
    return dao.snapshotSpace === (typeof this.space === 'string' ? this.space : this.space.value);
  }

  async run(ctx: SyncContext): Promise<SyncOutcome> {
    const step = this.options.steps?.[this.runs] ?? 'ok';
    this.runs++;
    this.starts.push(Date.now());
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
      if (step === 'fail') throw new Error(`run ${this.runs} failed before writing`);
      const from = Number(ctx.cursor.n ?? 0);
      const perRun = this.options.perRun ?? 3;
      const ids = Array.from({ length: perRun }, (_, i) => `p${from + i}`);
      let written = 0;
      await ctx.transaction(async (tx) => {
        const counts = await tx.governance.upsertProposals(
          ids.map((id, i) => ({
            daoId: ctx.dao.id,
            externalId: id,
            source: 'snapshot',
            votingType: 'single-choice',
            title: `Proposal ${id}`,
            body: '',
            author: null,
            choices: ['Yes', 'No'],
            start: new Date(Date.UTC(2024, 0, 1 + from + i)),
            end: new Date(Date.UTC(2024, 0, 8 + from + i)),
            state: 'closed',
            quorum: null,
            snapshotBlock: null,
            scores: null,
            scoresTotal: null,
          })),
        );
        written = counts.inserted + counts.updated;
        await tx.saveCursor({ n: from + perRun });
        if (step === 'fail-in-tx') throw new Error(`run ${this.runs} failed after writing`);
      });
      ids.forEach((id, i) => {
        ctx.publish({ type: 'proposal.created', dao: ctx.dao.slug, proposal: id, state: 'closed' });
        ctx.progress(i + 1, ids.length);
      });
      return { written, read: ids.length, lag: 42, details: { last: ids.at(-1) } };
    } finally {
      this.active--;
    }
  }
}

let daoCounter = 0;

/** A fresh DAO with its own Snapshot space, so tests sharing a database never see each other's runs. */
export async function createTestDao(
  database: Database,
  label: string,
): Promise<{ id: number; slug: string; space: string }> {
  const slug = `${label}-${process.pid}-${++daoCounter}-${Math.random().toString(36).slice(2, 6)}`;
  const space = `${slug}.eth`;
  const [row] = await rowsOf<{ id: number }>(
    database.db,
    sql`
    insert into daos (slug, name, chain, snapshot_space) values (${slug}, ${slug}, 'ethereum', ${space}) returning id`,
  );
  return { id: row!.id, slug, space };
}

export async function proposalIds(database: Database, daoId: number): Promise<string[]> {
  const rows = await rowsOf<{ external_id: string }>(
    database.db,
    sql`select external_id from proposals where dao_id = ${daoId} order by start`,
  );
  return rows.map((r) => r.external_id);
}

export async function syncStateOf(database: Database, daoId: number, source = 'snapshot') {
  const [row] = await rowsOf<{
    status: string;
    cursor: Record<string, unknown>;
    last_error: string | null;
    last_success_at: unknown;
    lag: number | null;
  }>(
    database.db,
    sql`select status, cursor, last_error, last_success_at, lag from sync_state where dao_id = ${daoId} and source = ${source}`,
  );
  return row;
}

/** Polls until `check` returns a truthy value (generous deadline: the machine is shared). */
export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One source answering for several test DAOs, as a real connector answers for every DAO it applies to. */
export function combined(sources: TestSource[]): SyncSource {
  return {
    name: 'snapshot',
    appliesTo: (dao) => sources.some((s) => s.appliesTo(dao)),
    run: (ctx) => sources.find((s) => s.appliesTo(ctx.dao))!.run(ctx),
  };
}
