/**
 * Throughput of the offline analysis on the 569 real Aave proposal texts
 * (../shared/data/aave-proposals):
 *   npx tsx bench/ai-offline.ts [--rounds 3]
 *
 * Loads the packaged model once (timed apart), then analyses every text `rounds` times and prints
 * proposals per second for each round and the median. Exits non-zero under 20 proposals/s, the
 * issue's target.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeOffline } from '../src/ai/offline/analyze.ts';
import { nlp } from '../src/ai/offline/nlp.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const file = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../shared/data/aave-proposals/proposals.ndjson',
);
const texts = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { title: string; body: string });

let started = performance.now();
nlp();
console.log(`model load: ${(performance.now() - started).toFixed(0)} ms`);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t.body), 0);
const rates: number[] = [];
for (let r = 0; r < rounds; r++) {
  started = performance.now();
  for (const t of texts) analyzeOffline({ title: t.title, body: t.body, choices: ['For', 'Against'], reasons: [] });
  const seconds = (performance.now() - started) / 1000;
  rates.push(texts.length / seconds);
  console.log(
    `round ${r + 1}: ${texts.length} proposals (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s = ${(texts.length / seconds).toFixed(0)} proposals/s`,
  );
}
const median = rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
console.log(`median: ${median.toFixed(0)} proposals/s (target ≥ 20)`);
if (median < 20) process.exitCode = 1;
