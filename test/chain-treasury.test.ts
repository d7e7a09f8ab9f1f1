import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { formatEther, parseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { decimalText, multiplyDecimals } from '../src/sources/treasury/prices.ts';
import { createTreasurySource } from '../src/sources/treasury/source.ts';
import { compileContracts } from './chain/compile.ts';
import { deployDao, type TestDao } from './chain/deploy.ts';
import { type Chain, startChain } from './chain/hardhat.ts';
import { runLifecycle } from './chain/scenario.ts';
import { addDao, sync } from './chain/sync.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

/**
 * Treasury balances read on the Hardhat chain after the lifecycle (whose executed proposal paid
 * out of the timelock), valued with prices from a local server in DefiLlama's coins API shape.
 */
const NATIVE = '0x0000000000000000000000000000000000000000';
let chain: Chain;
let dao: TestDao;
let priceServer: http.Server;
let priceUrl: string;
const priceApi = { down: false, requests: [] as string[], prices: {} as Record<string, number> };

beforeAll(async () => {
  chain = await startChain();
  dao = await deployDao(chain, await compileContracts());
  await runLifecycle(dao);
  priceServer = http.createServer((req, res) => {
    priceApi.requests.push(req.url ?? '');
    if (priceApi.down) return void res.writeHead(503).end('down');
    const match = /^\/prices\/current\/(.+)$/.exec(req.url ?? '');
    if (!match) return void res.writeHead(404).end();
    const coins: Record<string, unknown> = {};
    for (const coin of decodeURIComponent(match[1]!).split(',')) {
      const price = priceApi.prices[coin];
      if (price !== undefined)
        coins[coin] = {
          price,
          symbol: coin.endsWith(NATIVE) ? 'ETH' : 'GOV',
          decimals: 18,
          timestamp: 1_700_000_000,
          confidence: 0.99,
        };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ coins }));
  });
  await new Promise<void>((resolve) => priceServer.listen(0, '127.0.0.1', resolve));
  priceUrl = `http://127.0.0.1:${(priceServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => priceServer?.close(resolve));
  await chain?.close();
});

describe('price arithmetic', () => {
  it('multiplies exact decimals and never prints exponents', () => {
    expect(multiplyDecimals('99000', '1.25')).toBe('123750');
    expect(multiplyDecimals('0.000000000000000001', '3000.5')).toBe('0.0000000000000030005');
    expect(multiplyDecimals('12.5', '0')).toBe('0');
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(2500.75)).toBe('2500.75');
  });
});

describe.each(databaseTargets())('treasury source on $kind', (target) => {
  let database: TestDatabase;
  let snapshot: unknown;
  const rpc = (method: string, params: unknown[] = []) =>
    dao.client.request({ method: method as never, params: params as never });
  beforeAll(async () => {
    database = await target.open();
    // Each database kind starts from the same chain: the blocks mined here are reverted afterwards.
    snapshot = await rpc('evm_snapshot');
  });
  afterAll(async () => {
    await rpc('evm_revert', [snapshot]);
    await database?.destroy();
  });

  const CONFIRMATIONS = 3;
  const source = () =>
    createTreasurySource({
      rpcUrls: { [chain.chainId]: chain.url },
      priceApiUrl: priceUrl,
      confirmations: CONFIRMATIONS,
    });
  const balancesOf = (daoId: number) =>
    rowsOf<{
      timestamp: Date;
      wallet: string;
      token_symbol: string;
      token_address: string;
      amount: string;
      usd_value: string | null;
      usd_stale: boolean;
    }>(
      database.db,
      sql`select timestamp, wallet, token_symbol, token_address, amount::text as amount, usd_value::text as usd_value, usd_stale
                       from treasury_balances where dao_id = ${daoId} order by timestamp, wallet, token_address`,
    );

  it('stores native and ERC-20 balances at the newest final block, valued at current prices, and keeps stale prices when the API is down', async () => {
    const deployer = dao.accounts[0]!;
    const row = await addDao(database, {
      governor: dao.governor,
      token: dao.token,
      treasury: [dao.timelock, deployer],
      treasuryTokens: [dao.token],
    });
    priceApi.down = false;
    priceApi.prices = { [`hardhat:${NATIVE}`]: 2500.5, [`hardhat:${dao.token}`]: 1.25 };

    const first = await sync(database, row, source());
    const head = await dao.client.getBlockNumber();
    const block = head - BigInt(CONFIRMATIONS);
    const header = await dao.client.getBlock({ blockNumber: block });
    expect(first).toMatchObject({
      written: 4,
      read: 4,
      lag: CONFIRMATIONS,
      details: { lastBlock: Number(block), stalePrices: 0 },
    });
    // Four reads and the block lookups go out as a few JSON-RPC batches, not one request per call.
    expect((first.details as { requests: number }).requests).toBeLessThanOrEqual(6);

    const expected = [];
    for (const wallet of [dao.timelock, deployer].sort()) {
      const eth = formatEther(await dao.client.getBalance({ address: wallet, blockNumber: block }));
      const gov = formatEther(
        await dao.read<bigint>(dao.token, dao.artifacts.GovToken!.abi, 'balanceOf', [wallet], block),
      );
      expected.push(
        {
          wallet,
          token_symbol: 'ETH',
          token_address: '',
          amount: eth,
          usd_value: multiplyDecimals(eth, '2500.5'),
          usd_stale: false,
        },
        {
          wallet,
          token_symbol: 'GOV',
          token_address: dao.token,
          amount: gov,
          usd_value: multiplyDecimals(gov, '1.25'),
          usd_stale: false,
        },
      );
    }
    const stored = await balancesOf(row.id);
    expect(stored.map(({ timestamp, ...rest }) => rest)).toEqual(expected);
    expect(stored.every((b) => new Date(b.timestamp).getTime() === Number(header.timestamp) * 1000)).toBe(true);
    // The executed proposal paid 1000 GOV and 1 ETH out of the timelock.
    expect(stored.find((b) => b.wallet === dao.timelock && b.token_symbol === 'GOV')?.amount).toBe('99000');
    expect(stored.find((b) => b.wallet === dao.timelock && b.token_symbol === 'ETH')?.amount).toBe('9');
    expect(priceApi.requests.at(-1)).toContain(`/prices/current/hardhat:${NATIVE},hardhat:${dao.token}`);
    const [aggregate] = await rowsOf<{ treasury_value: string }>(
      database.db,
      sql`select treasury_value::text as treasury_value from daos where id = ${row.id}`,
    );
    const total = expected.map((e) => Number(e.usd_value)).reduce((a, b) => a + b, 0);
    expect(Number(aggregate!.treasury_value)).toBeCloseTo(total, 2);

    // Same final block: nothing new to write.
    expect((await sync(database, row, source())).written).toBe(0);

    // Price API down: the next snapshot uses the last known prices, marked stale, never invented.
    priceApi.down = true;
    await dao.wallet.sendTransaction({ account: deployer, to: dao.timelock, value: parseEther('2'), chain: null });
    await dao.mine(CONFIRMATIONS);
    const offline = await sync(database, row, source());
    expect(offline).toMatchObject({
      written: 4,
      details: { stalePrices: 4, priceError: expect.stringContaining('HTTP 503') },
    });
    const latest = (await balancesOf(row.id)).slice(4);
    expect(latest.every((b) => b.usd_stale)).toBe(true);
    const timelockEth = latest.find((b) => b.wallet === dao.timelock && b.token_symbol === 'ETH')!;
    expect(timelockEth.amount).toBe('11');
    expect(timelockEth.usd_value).toBe(multiplyDecimals('11', '2500.5'));

    // Back up, but without a price for GOV: ETH is fresh again, GOV keeps its last price, stale.
    priceApi.down = false;
    priceApi.prices = { [`hardhat:${NATIVE}`]: 3000 };
    await dao.mine(1);
    await sync(database, row, source());
    const newest = (await balancesOf(row.id)).slice(8);
    expect(newest.map((b) => [b.token_symbol, b.usd_stale])).toEqual([
      ['ETH', false],
      ['GOV', true],
      ['ETH', false],
      ['GOV', true],
    ]);
    expect(newest.find((b) => b.wallet === dao.timelock && b.token_symbol === 'GOV')?.usd_value).toBe(
      multiplyDecimals('99000', '1.25'),
    );
  });

  it('leaves the USD value empty for a coin that was never priced', async () => {
    // The test chain under a chain id no price was ever stored for, with the price API down.
    const row = await addDao(database, {
      governor: dao.governor,
      token: dao.token,
      treasury: [dao.timelock],
      chain: '424242',
    });
    priceApi.down = true;
    try {
      const outcome = await sync(
        database,
        row,
        createTreasurySource({ rpcUrls: { 424242: chain.url }, priceApiUrl: priceUrl, confirmations: 0 }),
      );
      expect(outcome).toMatchObject({ written: 1, details: { stalePrices: 0 } });
      const stored = await balancesOf(row.id);
      expect(stored).toEqual([
        expect.objectContaining({ token_symbol: 'ETH', amount: '11', usd_value: null, usd_stale: false }),
      ]);
    } finally {
      priceApi.down = false;
    }
  });
});
