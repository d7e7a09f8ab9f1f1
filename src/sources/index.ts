import type { Config } from '../config/index.ts';
import type { Logger } from '../logger/index.ts';
import type { SourceName, SyncSource } from '../sync/types.ts';
import { hasRpcFor } from './evm/chains.ts';
import { governorAppliesTo } from './governor/applies.ts';
import { createSnapshotSource } from './snapshot/index.ts';
import { treasuryAppliesTo } from './treasury/applies.ts';

export interface SourceDeps {
  logger: Logger;
  /** Sources built elsewhere (tests, embedders); they replace a configured source of the same name. */
  extra?: SyncSource[];
}

/**
 * The sources this installation syncs, built from the configuration. Each connector
 * (src/sources/<name>) contributes its source here when what it needs is configured; the engine
 * (src/sync), which knows sources only by the SyncSource contract, runs every returned source for
 * every DAO it `appliesTo`. The commands that start an engine (serve, worker, sync) call this.
 */
export function createSources(config: Config, deps: SourceDeps): SyncSource[] {
  // Snapshot's hub is public, so its source is always configured (SNAPSHOT_HUB_URL has a default).
  const configured: SyncSource[] = [createSnapshotSource(config.snapshot, deps.logger)];
  // On-chain sources read a DAO only when its chain has an RPC_URL_<chainId>; a DAO on another
  // chain keeps its Snapshot and file data instead of failing every interval.
  const onChain = [
    loadedOnFirstRun('governor', governorAppliesTo, async () =>
      (await import('./governor/source.ts')).createGovernorSource(config),
    ),
    loadedOnFirstRun('treasury', treasuryAppliesTo, async () =>
      (await import('./treasury/source.ts')).createTreasurySource(config),
    ),
  ];
  for (const source of onChain) {
    configured.push({ ...source, appliesTo: (dao) => source.appliesTo(dao) && hasRpcFor(config.rpcUrls, dao.chain) });
  }
  const byName = new Map<SourceName, SyncSource>();
  for (const source of [...configured, ...(deps.extra ?? [])]) byName.set(source.name, source);
  return [...byName.values()];
}

/**
 * A connector that is loaded by its first run. The on-chain connectors bring viem (about a
 * thousand modules, half a second at start), so a process that syncs no chain never loads it.
 */
function loadedOnFirstRun(
  name: SourceName,
  appliesTo: SyncSource['appliesTo'],
  load: () => Promise<SyncSource>,
): SyncSource {
  let loaded: Promise<SyncSource> | undefined;
  return { name, appliesTo, run: async (ctx) => (await (loaded ??= load())).run(ctx) };
}
