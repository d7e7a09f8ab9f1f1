import type { Config } from '../config/index.ts';
import type { Logger } from '../logger/index.ts';
import type { SourceName, SyncSource } from '../sync/types.ts';
import { hasRpcFor } from './evm/chains.ts';
import { createGovernorSource } from './governor/source.ts';
import { createSnapshotSource } from './snapshot/index.ts';
import { createTreasurySource } from './treasury/source.ts';

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
  for (const source of [createGovernorSource(config), createTreasurySource(config)]) {
    configured.push({ ...source, appliesTo: (dao) => source.appliesTo(dao) && hasRpcFor(config.rpcUrls, dao.chain) });
  }
  const byName = new Map<SourceName, SyncSource>();
  for (const source of [...configured, ...(deps.extra ?? [])]) byName.set(source.name, source);
  return [...byName.values()];
}
