/**
 * What this process knows about its own health at one moment: the input of the operator alert rules
 * (src/alerts) and of the monitoring endpoints (src/monitoring). A figure it cannot know is null.
 */
export interface ProcessMeasurements {
  at: Date;
  /** Requests answered in the recent window (the collector's window, e.g. the last 5 minutes). */
  requests: {
    windowSeconds: number;
    count: number;
    /** 5xx responses ÷ count; null with no requests. */
    errorRate: number | null;
    avgSeconds: number | null;
    p95Seconds: number | null;
    ratePerSecond: number;
  };
  memory: { rssBytes: number; heapUsedBytes: number; limitBytes: number | null; usedRatio: number | null };
  database: {
    reachable: boolean;
    latencyMs: number | null;
    pool: { size: number; inUse: number; idle: number; waiting: number } | null;
  };
  /** DATA_DIR and the backup directory, when they exist. */
  disks: { path: string; freeRatio: number | null }[];
  /** Each configured (DAO, source) sync. */
  sources: {
    dao: string;
    source: string;
    intervalSeconds: number;
    lastSuccessAt: Date | null;
    lagSeconds: number | null;
    failing: boolean;
    lastError: string | null;
  }[];
  /** Scheduled backups, when configured. */
  backups: { lastSuccessAt: Date | null; lastFailureAt: Date | null; lastError: string | null } | null;
}
