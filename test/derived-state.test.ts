import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { derivedStateSql, deriveState } from '../src/db/proposal-state.ts';
import { PROPOSAL_STATES } from '../src/metrics/proposal-states.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';
import { loadHubData, type SnapshotHubStandIn, startHub } from './helpers/snapshot-hub/index.ts';
import { createSpaceDaos, syncAll } from './helpers/snapshot-sync.ts';

/**
 * True states: the API derives a proposal's state at read time from the stored state, start and
 * end, so nothing ended is ever `active` (even while the stored state still says so, until the
 * next sync), in the list, the detail, the `?state=` filter and the DAO's open count.
 */
const DAY = 86_400_000;
const at = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();

// [id, stored state, start, end, derived state]
const CASES: Array<[string, string, string, string, string]> = [
  ['ended-active', 'active', at(-10), at(-1), 'closed'],
  ['open', 'active', at(-1), at(1), 'active'],
  ['not-started', 'pending', at(1), at(8), 'pending'],
  ['started-pending', 'pending', at(-1), at(1), 'active'],
  ['stored-active-future', 'active', at(5), at(9), 'pending'],
  ['snapshot-closed', 'closed', at(-9), at(-2), 'closed'],
  ['finished', 'finished', at(-9), at(-2), 'closed'],
  ['enacted', 'enacted', at(-9), at(-2), 'executed'],
  ['executed', 'Executed', at(-9), at(-2), 'executed'],
  ['succeeded', 'succeeded', at(-9), at(-2), 'passed'],
  ['passed', 'passed', at(-9), at(-2), 'passed'],
  ['out-of-budget', 'out_of_budget', at(-9), at(-2), 'passed'],
  ['queued', 'queued', at(-9), at(-2), 'queued'],
  ['rejected', 'rejected', at(-9), at(-2), 'rejected'],
  ['defeated', 'defeated', at(-9), at(-2), 'defeated'],
  ['canceled-while-open', 'canceled', at(-1), at(3), 'canceled'],
  ['unknown-word', 'whatever', at(-9), at(-2), 'closed'],
];

describe.each(databaseTargets())('derived proposal states on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let hub: SnapshotHubStandIn | undefined;

  beforeAll(async () => {
    database = await target.open();
    const lines = [
      { type: 'dao', slug: 'states', name: 'States DAO', chain: 'ethereum' },
      ...CASES.map(([id, state, start, end]) => ({
        type: 'proposal',
        dao: 'states',
        id,
        title: id,
        choices: ['For', 'Against'],
        start,
        end,
        state,
      })),
    ];
    const { summary } = await importText(database, lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(summary.rejected).toBe(0);
    app = await testServer(database);
  });
  afterAll(async () => {
    await hub?.close();
    await app?.close();
    await database?.destroy();
  });

  it('derives every state in the list and the detail, and the SQL and TypeScript rules agree', async () => {
    const list = await getData(app, '/api/v1/daos/states/proposals?per_page=100');
    const byId = new Map(list.map((p: { external_id: string }) => [p.external_id, p]));
    for (const [id, stored, start, end, derived] of CASES) {
      const p = byId.get(id) as { id: number; state: string; source_state: string };
      expect(p.state, id).toBe(derived);
      expect(p.source_state, id).toBe(stored);
      expect((await getData(app, `/api/v1/proposals/${p.id}`)).state, id).toBe(derived);
      expect(deriveState(stored, new Date(start), new Date(end)), id).toBe(derived);
    }
    // The expression alone, over every stored word, against the TypeScript rule.
    const rows = await rowsOf<{ state: string; start: Date | string; end: Date | string; derived: string }>(
      database.db,
      sql`select state, start, "end", ${derivedStateSql({ state: sql`state`, start: sql`start`, end: sql`"end"` })} as derived from proposals`,
    );
    expect(rows).toHaveLength(CASES.length);
    for (const r of rows) expect(r.derived).toBe(deriveState(r.state, new Date(r.start), new Date(r.end)));
  });

  it('filters ?state= on the derived state, refuses unknown states, and counts only open proposals as active', async () => {
    for (const state of PROPOSAL_STATES) {
      const data = await getData(app, `/api/v1/daos/states/proposals?per_page=100&state=${state}`);
      const expected = CASES.filter((c) => c[4] === state)
        .map((c) => c[0])
        .sort();
      expect(data.map((p: { external_id: string }) => p.external_id).sort(), state).toEqual(expected);
    }
    const bad = await app.inject({ method: 'GET', url: '/api/v1/daos/states/proposals?state=enacted' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_ERROR');
    expect(bad.body).toContain('state');
    expect((await getData(app, '/api/v1/daos/states')).active_proposals).toBe(2);
  });

  it('never returns an ended proposal as active after a Snapshot sync, once its end passes', async () => {
    const small = loadHubData(sharedData, { spaces: ['comp-vote.eth'] });
    hub = await startHub(small, { rateLimit: { max: 100, windowMs: 1000 } });
    // One of the space's proposals reopened on the hub's (real) clock, ending 3 s from now.
    const reopened = [...small.proposals.values()][0]!;
    const now = Math.floor(Date.now() / 1000);
    reopened.start = now - 3600;
    reopened.end = now + 3;
    const [dao] = await createSpaceDaos(database, ['comp-vote.eth']);
    const [outcome] = await syncAll(database, [dao!], { url: hub.url });
    expect(outcome!.written).toBeGreaterThan(0);

    const read = async () =>
      (await getData(app, `/api/v1/daos/${dao!.slug}/proposals?per_page=100`)) as Array<{
        external_id: string;
        state: string;
        source_state: string;
        end: string;
      }>;
    const before = await read();
    expect(before.length).toBe(small.proposals.size);
    const stored = before.find((p) => p.external_id === reopened.id)!;
    expect(stored.source_state).toBe('active');
    expect(stored.state).toBe(Date.parse(stored.end) > Date.now() ? 'active' : 'closed');

    await new Promise((r) => setTimeout(r, Math.max(0, reopened.end * 1000 - Date.now()) + 500));
    const after = await read();
    // Stored state still `active` (no sync since), derived state closed.
    expect(after.find((p) => p.external_id === reopened.id)).toMatchObject({ source_state: 'active', state: 'closed' });
    expect(after.filter((p) => p.state === 'active' && Date.parse(p.end) <= Date.now())).toEqual([]);
    expect(await getData(app, `/api/v1/daos/${dao!.slug}/proposals?state=active`)).toEqual([]);
    const detail = await getData(app, `/api/v1/proposals/${encodeURIComponent(reopened.id)}`);
    expect(detail.state).toBe('closed');
  });
});
