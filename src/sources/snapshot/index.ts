import type { SnapshotConfig } from '../../config/index.ts';
import type { Logger } from '../../logger/index.ts';
import { snapshotClientFromConfig } from './client.ts';
import { SnapshotSource } from './source.ts';

export { SnapshotClient, SnapshotHubError } from './client.ts';
export { type SnapshotCursor, SnapshotSource } from './source.ts';

/**
 * The Snapshot source as the job runners use it. Create it once per process: its client holds the
 * rate limiter, so every DAO synced by this process shares the SNAPSHOT_RATE_LIMIT budget.
 */
export function createSnapshotSource(config: SnapshotConfig, logger?: Logger): SnapshotSource {
  return new SnapshotSource(snapshotClientFromConfig(config, logger));
}
