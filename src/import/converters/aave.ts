/**
 * Converter for the Aave governance proposal texts in `shared/data/aave-proposals/`
 * (`proposals.ndjson`: 569 markdown bodies of the Aave DAO's AIPs, 2023-10 .. 2026-02, from
 * github.com/bgd-labs/aave-proposals-v3, MIT, each text waived to the public domain via CC0).
 *
 * One DAO (`aave`, the same slug and token as the tokenomics holder list) and one proposal per
 * text. The export has the publication date only and no votes: the proposal starts and ends on
 * that day and carries Aave Governance v3's binary choices. The proposal id is the upstream folder
 * name, with `-2`, `-3` after the first for the few folders holding several texts; the temperature-check's Snapshot id is not carried, the canonical
 * proposal record has no field for a second id.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalRecord, DaoInput as DaoRecord, ProposalInput as ProposalRecord } from '../records.ts';
import type { ConvertOptions } from './converter.ts';
import { CsvDataError, readExport } from './csv.ts';

export const AAVE_SLUG = 'aave';
const FILE = 'proposals.ndjson';
const SOURCE_CREDIT =
  'Aave governance proposal texts (github.com/bgd-labs/aave-proposals-v3, MIT; texts waived to the public domain via CC0)';
/** Aave Governance v3 votes are For or Against. */
const CHOICES = ['For', 'Against'];

interface AaveText {
  id: string;
  date: string;
  title: string;
  author?: string | null;
  body: string;
}

function parseLine(line: string, where: string, onWarning?: (message: string) => void): AaveText {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CsvDataError(`${where}: not JSON`);
  }
  const v = value as Record<string, unknown>;
  for (const field of ['id', 'title', 'body'] as const)
    if (typeof v[field] !== 'string') throw new CsvDataError(`${where}: field "${field}" must be a string`);
  if (v.date === null || v.date === undefined) {
    // One text has no date in its front matter; its folder name ends with it (…_20240729).
    const m = /(?:^|_)(\d{4})(\d{2})(\d{2})(?:_|$)/.exec(v.id as string);
    if (!m) throw new CsvDataError(`${where}: no "date" and none in the id`);
    v.date = `${m[1]}-${m[2]}-${m[3]}`;
    onWarning?.(`${where}: no "date"; ${v.date} taken from the id`);
  }
  if (typeof v.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v.date))
    throw new CsvDataError(`${where}: field "date" must be YYYY-MM-DD`);
  if (v.author !== undefined && v.author !== null && typeof v.author !== 'string')
    throw new CsvDataError(`${where}: field "author" must be a string`);
  return v as unknown as AaveText;
}

export function* convertAave(dir: string, options: ConvertOptions = {}): Generator<CanonicalRecord> {
  const file = path.join(dir, FILE);
  const text = readExport(file, () => readFileSync(file, 'utf8'));
  const dao: DaoRecord = {
    type: 'dao',
    slug: AAVE_SLUG,
    name: 'Aave',
    description: `Governance proposal texts from the ${SOURCE_CREDIT}.`,
    chain: 'ethereum',
    token_symbol: 'AAVE',
    governance_token: 'AAVE',
  };
  yield dao;
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const p = parseLine(line, `${FILE}:${i + 1}`, options.onWarning);
    // A folder can hold several texts (one per chain, or rewritten across commits): each is its own
    // proposal text, numbered in file order after the first.
    let id = p.id;
    for (let n = 2; seen.has(id); n++) id = `${p.id}-${n}`;
    if (id !== p.id) options.onWarning?.(`${FILE}:${i + 1}: a second text of ${p.id} is proposal ${id}`);
    seen.add(id);
    const day = `${p.date}T00:00:00.000Z`;
    const author = p.author?.trim();
    const record: ProposalRecord = {
      type: 'proposal',
      dao: AAVE_SLUG,
      id,
      source: 'import',
      voting_type: 'single-choice',
      title: p.title.trim() === '' ? p.id : p.title,
      body: p.body,
      ...(author ? { author: author.slice(0, 200) } : {}),
      choices: [...CHOICES],
      start: day,
      end: day,
      state: 'closed',
    };
    yield record;
  }
}
