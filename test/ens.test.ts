import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  labelhash,
  namehash,
  type PublicClient,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { EnsNames } from '../src/ens/names.ts';
import { EnsResolver } from '../src/ens/resolver.ts';
import { Outbound } from '../src/net/outbound.ts';
import { type Artifacts, compileContracts } from './chain/compile.ts';
import { type Chain, startChain } from './chain/hardhat.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';

/**
 * ENS names on Hardhat's chain: an EIP-137 registry, a resolver with addr/name/text and reverse
 * records under addr.reverse (EIP-181), and a Universal Resolver answering the calls viem makes,
 * read by the API's resolver over real JSON-RPC HTTP.
 */
const AVATAR = 'https://images.example.org/alice.png';
const TTL_SECONDS = 3600;
let chain: Chain;
let universalResolver: Address;
/**
 * alice: primary name alice.eth with an avatar; mallory claims bob.eth, which resolves to bob;
 * carol has no name; dave has dave.eth and is only looked up through an unreachable RPC.
 */
let alice: Address;
let dave: Address;
let bob: Address;
let mallory: Address;
let carol: Address;

beforeAll(async () => {
  const artifacts = await compileContracts(path.join(repoRoot, 'test/chain/ens'));
  chain = await startChain();
  universalResolver = await deployEns(chain, artifacts);
}, 120_000);
afterAll(async () => chain?.close());

async function deployEns(target: Chain, artifacts: Artifacts): Promise<Address> {
  const client = createPublicClient({ transport: http(target.url) }) as PublicClient;
  const wallet = createWalletClient({ transport: http(target.url) });
  const accounts = (await wallet.getAddresses()).map((a) => a.toLowerCase() as Address);
  const deployer = accounts[0]!;
  [alice, bob, mallory, carol, dave] = accounts.slice(1, 6) as [Address, Address, Address, Address, Address];
  const mined = async (hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };
  const deploy = async (name: string, args: unknown[]) => {
    const { abi, bytecode } = artifacts[name]!;
    const hash = await wallet.deployContract({ abi, bytecode, args, account: deployer, chain: null });
    return (await mined(hash)).contractAddress!.toLowerCase() as Address;
  };
  const call = async (to: Address, abi: Abi, functionName: string, args: unknown[]) => {
    const data = encodeFunctionData({ abi, functionName, args } as never);
    await mined(await wallet.sendTransaction({ account: deployer, to, data, chain: null } as never));
  };
  const registry = await deploy('ENSRegistry', []);
  const resolver = await deploy('PublicResolver', [registry]);
  const ur = await deploy('UniversalResolver', [registry]);
  const reg = artifacts.ENSRegistry!.abi;
  const res = artifacts.PublicResolver!.abi;
  const subnode = (parent: string, label: string) =>
    call(registry, reg, 'setSubnodeOwner', [namehash(parent), labelhash(label), deployer]);

  await subnode('', 'eth');
  await subnode('', 'reverse');
  await subnode('reverse', 'addr');
  const forward = async (label: string, owner: Address, records: Record<string, string> = {}) => {
    await subnode('eth', label);
    const node = namehash(`${label}.eth`);
    await call(registry, reg, 'setResolver', [node, resolver]);
    await call(resolver, res, 'setAddr', [node, owner]);
    for (const [key, value] of Object.entries(records)) await call(resolver, res, 'setText', [node, key, value]);
  };
  const reverse = async (account: Address, name: string) => {
    const label = account.slice(2);
    await subnode('addr.reverse', label);
    const node = namehash(`${label}.addr.reverse`);
    await call(registry, reg, 'setResolver', [node, resolver]);
    await call(resolver, res, 'setName', [node, name]);
  };
  await forward('alice', alice, { avatar: AVATAR });
  await reverse(alice, 'alice.eth');
  await forward('bob', bob);
  await reverse(mallory, 'bob.eth');
  await forward('dave', dave);
  await reverse(dave, 'dave.eth');
  return ur;
}

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(databaseTargets())('ENS names of voters on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let resolver: EnsResolver;
  let names: EnsNames;
  let clock = Date.parse('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    database = await target.open();
    resolver = new EnsResolver({ rpcUrl: chain.url, universalResolver, outbound: new Outbound() });
    names = new EnsNames(database, resolver, { ttlSeconds: TTL_SECONDS, timeoutMs: 5000, now: () => clock });
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20 }, database, logger: false, ens: names });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await names?.close();
    await database?.destroy();
  });

  const ensOf = async (server: FastifyInstance, address: string) => {
    const response = await server.inject({ method: 'GET', url: `/api/v1/voters/${address}` });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    return response.json().data.ens as { name: string; avatar: string | null } | null;
  };

  it('gives an address its primary name and avatar', async () => {
    expect(await ensOf(app, alice)).toEqual({ name: 'alice.eth', avatar: AVATAR });
  });

  it('gives null to an address whose reverse name resolves to another address', async () => {
    expect(await ensOf(app, mallory)).toBeNull();
  });

  it('gives null to an address without a name', async () => {
    expect(await ensOf(app, carol)).toBeNull();
  });

  it('serves a second lookup from the cache without an RPC request, and looks up again after the TTL', async () => {
    const before = resolver.requests;
    expect(await ensOf(app, alice.toUpperCase().replace('0X', '0x'))).toEqual({ name: 'alice.eth', avatar: AVATAR });
    expect(await ensOf(app, carol)).toBeNull();
    expect(resolver.requests).toBe(before);

    clock += TTL_SECONDS * 1000 + 1;
    expect(await ensOf(app, alice)).toEqual({ name: 'alice.eth', avatar: AVATAR });
    // reverse, forward address and avatar text: three JSON-RPC calls.
    expect(resolver.requests).toBe(before + 3);
  });

  it('answers null, without failing and within the timeout, when the RPC is unreachable', async () => {
    const timeoutMs = 400;
    const offlineResolver = (rpcUrl: string) => {
      const abort = new AbortController();
      const resolver = new EnsResolver({ rpcUrl, universalResolver, outbound: new Outbound(), signal: abort.signal });
      return { resolver, abort };
    };
    const refused = offlineResolver(`http://127.0.0.1:${await closedPort()}`);
    // A port that accepts and never answers: only the profile's timeout bounds the wait.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hanging = offlineResolver(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`);
    try {
      for (const lookup of [refused, hanging]) {
        const offline = new EnsNames(database, lookup.resolver, { ttlSeconds: TTL_SECONDS, timeoutMs }, () =>
          lookup.abort.abort(),
        );
        const server = await buildServer({
          config: { corsOrigins: [], bodyLimit: 1 << 20 },
          database,
          logger: false,
          ens: offline,
        });
        try {
          const started = performance.now();
          // dave has a name but was never looked up, so nothing is cached to fall back on.
          expect(await ensOf(server, dave)).toBeNull();
          expect(performance.now() - started).toBeLessThan(timeoutMs + 1000);
          expect(lookup.resolver.requests).toBe(1);
        } finally {
          await server.close();
          await offline.close();
        }
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
    // Through the reachable RPC the same address has its name: the nulls above came from the RPC.
    expect(await ensOf(app, dave)).toEqual({ name: 'dave.eth', avatar: null });
  });
});
