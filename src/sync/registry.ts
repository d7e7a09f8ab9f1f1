import type { Config } from '../config/index.ts';
import type { Logger } from '../logger/index.ts';
import type { SourceName, SyncSource } from './types.ts';

export const SOURCE_NAMES: readonly SourceName[] = ['snapshot', 'governor', 'treasury'];

export interface SourceDeps {
  logger: Logger;
  /** Sources built elsewhere (tests, embedders); they replace a configured source of the same name. */
  extra?: SyncSource[];
}

/**
 * The sources this installation syncs, built from the configuration. Each connector
 * (src/sources/<name>) contributes its source here when what it needs is configured; the engine
 * runs every returned source for every DAO it `appliesTo`.
 */
export function createSources(config: Config, deps: SourceDeps): SyncSource[] {
  // Connectors add their source here when merged, e.g. `configured.push(new SnapshotSource(config.snapshot, deps))`.
  const configured: SyncSource[] = [];
  const byName = new Map<SourceName, SyncSource>();
  for (const source of [...configured, ...(deps.extra ?? [])]) byName.set(source.name, source);
  return [...byName.values()];
}
