import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

/** The proposal at its source: a Governor proposal links the transaction that created it on the chain's explorer. */
describe.each(databaseTargets())('proposal source links on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const tx = `0x${'ab'.repeat(32)}`;

  beforeAll(async () => {
    database = await target.open();
    const db = database.db;
    await db.execute(sql`insert into daos (slug, name, chain, governor_address, snapshot_space)
      values ('arb-gov', 'Arbitrum Governor', 'arbitrum', ${`0x${'11'.repeat(20)}`}, 'arb-gov.eth')`);
    await db.execute(sql`insert into proposals (dao_id, external_id, source, title, choices, start, "end", state, source_votes_count)
      select id, '4242', 'onchain', 'On-chain', '["For","Against","Abstain"]'::jsonb, now() - interval '9 days', now() - interval '2 days', 'defeated', 0
        from daos where slug = 'arb-gov'`);
    await db.execute(sql`insert into proposals (dao_id, external_id, source, title, choices, start, "end", state)
      select id, '0xsnap', 'snapshot', 'Off-chain', '["Yes","No"]'::jsonb, now() - interval '9 days', now() - interval '2 days', 'closed'
        from daos where slug = 'arb-gov'`);
    await db.execute(sql`insert into chain_events (dao_id, tx_hash, log_index, block_number, block_hash, block_time, contract, event, args)
      select id, ${tx}, 3, 100, ${`0x${'cd'.repeat(32)}`}, now() - interval '10 days', ${`0x${'11'.repeat(20)}`}, 'ProposalCreated',
             '{"proposalId":"4242"}'::jsonb from daos where slug = 'arb-gov'`);
    app = await testServer(database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it('links the Governor transaction on Arbiscan and the Snapshot page of an off-chain one', async () => {
    const onchain = await getData(app, '/api/v1/proposals/4242');
    expect(onchain).toMatchObject({
      source_url: `https://arbiscan.io/tx/${tx}`,
      state: 'defeated',
      outcome: 'failed',
      votes_count: 0,
      votes_stored: 0,
    });
    const snapshot = await getData(app, '/api/v1/proposals/0xsnap');
    expect(snapshot.source_url).toBe('https://snapshot.org/#/arb-gov.eth/proposal/0xsnap');
    expect(snapshot).toMatchObject({ state: 'closed', outcome: null, votes_count: 0, tally_source: null });
  });
});
