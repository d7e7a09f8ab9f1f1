/**
 * A progress line on stderr: a bar when the total is known, records and records/s always, ETA when
 * it can be estimated. On a terminal it redraws in place; otherwise (CI, pipes) it prints a line
 * every few seconds so logs stay readable.
 */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly unit = 'records',
  ) {}

  update(done: number, fraction?: number, force = false) {
    const now = performance.now();
    if (!force && now - this.lastDraw < (this.tty ? 100 : 5000)) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const parts = [this.label];
    if (fraction !== undefined) {
      const f = Math.min(1, Math.max(0, fraction));
      const width = 24;
      const filled = Math.round(f * width);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%`);
      if (f > 0 && f < 1) parts.push(`ETA ${formatDuration((seconds / f) * (1 - f))}`);
    }
    parts.push(
      `${done.toLocaleString('en-US')} ${this.unit}`,
      `${Math.round(rate).toLocaleString('en-US')} ${this.unit}/s`,
    );
    const line = parts.join('  ');
    if (this.tty) process.stderr.write(`\r${line}\x1b[K`);
    else process.stderr.write(`${line}\n`);
  }

  done(total: number) {
    this.update(total, 1, true);
    if (this.tty) process.stderr.write('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${Math.round(seconds % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
