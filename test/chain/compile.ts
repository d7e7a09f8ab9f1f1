import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Abi, Hex } from 'viem';
import { repoRoot } from '../helpers/db.ts';

/**
 * Compiles the test contracts (test/chain/contracts/*.sol against node_modules/@openzeppelin)
 * with solc-js once, and caches the ABI and bytecode under .tmp/ keyed by the sources and the
 * compiler version, so every later test file and run reuses them (solc-js takes ~half a minute).
 */
export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}
export type Artifacts = Record<string, Artifact>;

const require = createRequire(import.meta.url);
const contractsDir = path.join(repoRoot, 'test/chain/contracts');
const cacheDir = path.join(repoRoot, '.tmp');

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** `dir`: another folder of test contracts (test/chain/ens), compiled and cached on its own. */
export async function compileContracts(dir = contractsDir): Promise<Artifacts> {
  const solc = require('solc') as { version(): string; compile(input: string, callbacks: unknown): string };
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sol')).sort();
  const sources: Record<string, { content: string }> = {};
  for (const file of files) sources[file] = { content: await readFile(path.join(dir, file), 'utf8') };

  const key = createHash('sha256').update(solc.version()).update(JSON.stringify(sources)).digest('hex').slice(0, 16);
  const cacheFile = path.join(cacheDir, `chain-artifacts-${key}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as Artifacts;
  } catch {
    // Not compiled yet for these sources.
  }

  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const findImports = (importPath: string) => {
    try {
      return { contents: require('node:fs').readFileSync(require.resolve(importPath), 'utf8') as string };
    } catch {
      return { error: `not found: ${importPath}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);

  const artifacts: Artifacts = {};
  for (const file of files) {
    for (const [name, contract] of Object.entries(output.contracts[file] ?? {})) {
      artifacts[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
    }
  }
  await mkdir(cacheDir, { recursive: true });
  // Written under a unique name and renamed, so parallel test files never read half a file.
  const temporary = `${cacheFile}.${process.pid}.${Date.now()}`;
  await writeFile(temporary, JSON.stringify(artifacts));
  await rename(temporary, cacheFile);
  return artifacts;
}
