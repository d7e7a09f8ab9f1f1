/**
 * Converter for the raw data of "Tokenomics-As-Institutional_Design"
 * (github.com/Research-Publications-and-Data/Tokenomics-As-Institutional_Design, `data/raw`),
 * by Zach Zukowski / Tokenization Systems, CC BY 4.0, as stored in `shared/data/tokenomics/`:
 *
 * - `snapshot_proposals.csv` / `snapshot_votes.csv`: Snapshot proposals and votes of 6 spaces;
 * - `holder_lists/<TOKEN>_holders.csv`: top-1,000 holders of 15 governance tokens.
 *
 * `tally_delegates.csv` is deliberately NOT converted: its `votes_count` is a delegate's voting
 * power in token base units (not decimals-adjusted) and the file has no token balance for the
 * delegate, so it fits neither `holder.balance` nor a plain `voting_power` decimal. A later
 * feature will import delegates.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Choice as VoteChoice, VotingType } from '../../metrics/snapshot-scoring.ts';
import type {
  CanonicalRecord,
  DaoInput as DaoRecord,
  HolderInput as HolderRecord,
  ProposalInput as ProposalRecord,
  VoteInput as VoteRecord,
} from '../records.ts';
import type { ConvertOptions } from './converter.ts';
import {
  address,
  CsvDataError,
  type CsvRow,
  decimal,
  optCount,
  positiveInt,
  readCsv,
  readExport,
  time,
} from './csv.ts';

/**
 * The holder lists carry no date. The upstream CODEBOOK describes the holder data as the
 * "April 2026 snapshot", and snapshot_proposals.csv was pulled while two Arbitrum proposals that
 * ran 2026-03-26 .. 2026-04-02 were still `active`, so the collection happened around the turn of
 * March/April 2026. We use 2026-04-01 (also the computation date in the upstream
 * outputs/regression_results.json) as the documented as-of date of every holder record.
 */
/** The fixed choices of Snapshot's `basic` voting type, in Snapshot's order. */
const BASIC_CHOICES = ['For', 'Against', 'Abstain'] as const;

export const TOKENOMICS_HOLDERS_AS_OF = '2026-04-01T00:00:00.000Z';

const SOURCE_CREDIT =
  'Tokenomics-As-Institutional_Design dataset by Zach Zukowski / Tokenization Systems ' +
  '(github.com/Research-Publications-and-Data/Tokenomics-As-Institutional_Design), CC BY 4.0';

interface DaoInfo {
  slug: string;
  name: string;
  chain: string;
  symbol: string;
}

/** Snapshot space → DAO. */
const SPACE_DAOS: Record<string, DaoInfo> = {
  'arbitrumfoundation.eth': { slug: 'arbitrum', name: 'Arbitrum DAO', chain: 'arbitrum', symbol: 'ARB' },
  'uniswapgovernance.eth': { slug: 'uniswap', name: 'Uniswap', chain: 'ethereum', symbol: 'UNI' },
  'lido-snapshot.eth': { slug: 'lido', name: 'Lido DAO', chain: 'ethereum', symbol: 'LDO' },
  'comp-vote.eth': { slug: 'compound', name: 'Compound', chain: 'ethereum', symbol: 'COMP' },
  'weatherxm.eth': { slug: 'weatherxm', name: 'WeatherXM', chain: 'arbitrum', symbol: 'WXM' },
  'dimo.eth': { slug: 'dimo', name: 'DIMO', chain: 'polygon', symbol: 'DIMO' },
};

/** Tokens with a holder list but no Snapshot space in the data → DAO. */
const HOLDER_ONLY_DAOS: Record<string, DaoInfo> = {
  AAVE: { slug: 'aave', name: 'Aave', chain: 'ethereum', symbol: 'AAVE' },
  BAL: { slug: 'balancer', name: 'Balancer', chain: 'ethereum', symbol: 'BAL' },
  CRV: { slug: 'curve', name: 'Curve DAO', chain: 'ethereum', symbol: 'CRV' },
  ENS: { slug: 'ens', name: 'ENS DAO', chain: 'ethereum', symbol: 'ENS' },
  GTC: { slug: 'gitcoin', name: 'Gitcoin', chain: 'ethereum', symbol: 'GTC' },
  MKR: { slug: 'maker', name: 'MakerDAO', chain: 'ethereum', symbol: 'MKR' },
  OP: { slug: 'optimism', name: 'Optimism Collective', chain: 'optimism', symbol: 'OP' },
  GRT: { slug: 'the-graph', name: 'The Graph', chain: 'ethereum', symbol: 'GRT' },
  // Livepeer's protocol (staking, governance) lives on Arbitrum One since the 2022 "Confluence"
  // migration, and the upstream dataset lists LPT's holder data chain as `arbitrum`.
  LPT: { slug: 'livepeer', name: 'Livepeer', chain: 'arbitrum', symbol: 'LPT' },
  RPL: { slug: 'rocket-pool', name: 'Rocket Pool', chain: 'ethereum', symbol: 'RPL' },
  GMX: { slug: 'gmx', name: 'GMX', chain: 'arbitrum', symbol: 'GMX' },
};

const VOTING_TYPES: readonly VotingType[] = [
  'single-choice',
  'approval',
  'quadratic',
  'ranked-choice',
  'weighted',
  'basic',
];

const PROPOSAL_COLUMNS = [
  'symbol',
  'space_id',
  'proposal_id',
  'title',
  'type',
  'state',
  'start',
  'end',
  'votes',
  'scores_total',
  'quorum',
  'author',
];
const VOTE_COLUMNS = ['symbol', 'proposal_id', 'voter', 'voting_power', 'choice', 'created'];
const HOLDER_COLUMNS = ['address', 'balance', 'token'];

export function* convertTokenomics(dir: string, _options: ConvertOptions = {}): Generator<CanonicalRecord> {
  const proposals = readCsv(path.join(dir, 'snapshot_proposals.csv'), PROPOSAL_COLUMNS);
  const votes = readCsv(path.join(dir, 'snapshot_votes.csv'), VOTE_COLUMNS);
  const holderDir = path.join(dir, 'holder_lists');
  const holderFiles = readExport(holderDir, () => readdirSync(holderDir))
    .filter((f) => /^[A-Za-z0-9]+_holders\.csv$/.test(f))
    .sort();
  const holderLists = holderFiles.map((f) => ({
    symbol: f.slice(0, -'_holders.csv'.length),
    rows: readCsv(path.join(holderDir, f), HOLDER_COLUMNS),
  }));

  // --- which DAOs ---------------------------------------------------------------------------------
  const proposalDao = new Map<string, { dao: DaoInfo; votingType: VotingType; row: CsvRow }>();
  const spacesPresent = new Set<string>();
  for (const row of proposals) {
    const space = row.req('space_id');
    const dao = SPACE_DAOS[space];
    if (dao === undefined) throw new CsvDataError(`${row.where()}: unknown Snapshot space ${JSON.stringify(space)}`);
    if (row.req('symbol') !== dao.symbol) {
      throw new CsvDataError(`${row.where()}: space ${space} with symbol ${row.req('symbol')}, expected ${dao.symbol}`);
    }
    const id = row.req('proposal_id');
    if (proposalDao.has(id)) throw new CsvDataError(`${row.where()}: duplicate proposal ${id}`);
    proposalDao.set(id, { dao, votingType: votingType(row), row });
    spacesPresent.add(space);
  }

  const bySymbol = new Map<string, DaoInfo>();
  for (const dao of Object.values(SPACE_DAOS)) bySymbol.set(dao.symbol, dao);
  const holderDaos = new Set<string>();
  for (const { symbol } of holderLists) {
    const dao = bySymbol.get(symbol) ?? HOLDER_ONLY_DAOS[symbol];
    if (dao === undefined)
      throw new CsvDataError(`holder_lists/${symbol}_holders.csv: no DAO known for token ${symbol}`);
    holderDaos.add(dao.slug);
  }

  // --- votes are parsed first: proposal choices depend on them ------------------------------------
  const parsedVotes: VoteRecord[] = [];
  const maxChoice = new Map<string, number>();
  for (const row of votes) {
    const proposal = row.req('proposal_id');
    const p = proposalDao.get(proposal);
    if (p === undefined) throw new CsvDataError(`${row.where()}: vote for unknown proposal ${proposal}`);
    if (row.req('symbol') !== p.dao.symbol) {
      throw new CsvDataError(`${row.where()}: vote symbol ${row.req('symbol')} but proposal is in ${p.dao.symbol}`);
    }
    const choice = parseChoice(row.req('choice'), p.votingType, `${row.where()} column "choice"`);
    maxChoice.set(proposal, Math.max(maxChoice.get(proposal) ?? 0, highestIndex(choice)));
    parsedVotes.push({
      type: 'vote',
      dao: p.dao.slug,
      proposal,
      voter: address(row, 'voter'),
      choice,
      voting_power: decimal(row, 'voting_power'),
      created: time(row, 'created'),
      // The export gives the date of each vote, not its time.
      created_precision: 'day',
    });
  }

  // --- emit --------------------------------------------------------------------------------------
  for (const [space, dao] of Object.entries(SPACE_DAOS)) {
    if (!spacesPresent.has(space)) continue;
    yield daoRecord(dao, space, holderDaos.has(dao.slug));
  }
  for (const dao of Object.values(HOLDER_ONLY_DAOS)) {
    if (!holderDaos.has(dao.slug)) continue;
    yield daoRecord(dao, undefined, true);
  }

  for (const [id, { dao, votingType: vt, row }] of proposalDao) {
    const n = maxChoice.get(id) ?? 0;
    const record: ProposalRecord = {
      type: 'proposal',
      dao: dao.slug,
      id,
      source: 'snapshot',
      voting_type: vt,
      title: row.req('title'),
      author: address(row, 'author'),
      // Choice labels are not in the export. Snapshot's `basic` type always offers For/Against/Abstain;
      // for the others, indexes up to the highest one voted for.
      choices: vt === 'basic' ? [...BASIC_CHOICES] : Array.from({ length: n }, (_, i) => `Choice ${i + 1}`),
      start: time(row, 'start'),
      end: time(row, 'end'),
      // The export gives start and end as dates.
      time_precision: 'day',
      state: row.req('state'),
      quorum: decimal(row, 'quorum'),
      scores_total: decimal(row, 'scores_total'),
    };
    // The export counts every vote of the proposal; snapshot_votes.csv holds only some proposals' votes.
    const count = optCount(row, 'votes');
    if (count !== undefined) record.votes_count = count;
    yield record;
  }

  yield* parsedVotes;

  for (const { symbol, rows } of holderLists) {
    const dao = (bySymbol.get(symbol) ?? HOLDER_ONLY_DAOS[symbol]) as DaoInfo;
    for (const row of rows) {
      if (row.req('token') !== symbol) {
        throw new CsvDataError(`${row.where()}: token ${row.req('token')} in the ${symbol} holder list`);
      }
      const holder: HolderRecord = {
        type: 'holder',
        dao: dao.slug,
        address: address(row, 'address'),
        balance: decimal(row, 'balance'),
        as_of: TOKENOMICS_HOLDERS_AS_OF,
      };
      yield holder;
    }
  }
}

function daoRecord(dao: DaoInfo, space: string | undefined, hasHolders: boolean): DaoRecord {
  const contents = [
    ...(space !== undefined ? [`Snapshot proposals and votes of space ${space}`] : []),
    ...(hasHolders ? [`top-1,000 ${dao.symbol} holders`] : []),
  ].join(' and ');
  return {
    type: 'dao',
    slug: dao.slug,
    name: dao.name,
    description: `${contents.charAt(0).toUpperCase()}${contents.slice(1)} from the ${SOURCE_CREDIT}.`,
    chain: dao.chain,
    token_symbol: dao.symbol,
    governance_token: dao.symbol,
    ...(space !== undefined ? { snapshot_space: space } : {}),
  };
}

function votingType(row: CsvRow): VotingType {
  const value = row.req('type');
  if (!(VOTING_TYPES as readonly string[]).includes(value)) {
    throw new CsvDataError(`${row.where()}: unknown voting type ${JSON.stringify(value)}`);
  }
  return value as VotingType;
}

const DICT_ENTRY_RE = /^\s*(['"])(\d+)\1\s*:\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;

/**
 * Parses the `choice` column:
 * - `3` → 3 (single-choice, basic);
 * - Python-dict weighted encoding `{'1': 250, '4': 5700}` → {"1": 250, "4": 5700} (weighted, quadratic);
 * - list `[1, 3]` → [1, 3] (approval, ranked-choice; not present in the current file).
 * The encoding must fit the proposal's voting type; anything else throws.
 */
export function parseChoice(text: string, type: VotingType, where: string): VoteChoice {
  const value = text.trim();
  const fail = (why: string): never => {
    throw new CsvDataError(`${where}: ${why}: ${JSON.stringify(text)} (proposal type ${type})`);
  };
  if (/^\d+$/.test(value)) {
    if (type !== 'single-choice' && type !== 'basic') fail('integer choice');
    return positiveInt(value, where);
  }
  if (value.startsWith('{') && value.endsWith('}')) {
    if (type !== 'weighted' && type !== 'quadratic') fail('weighted choice');
    const inner = value.slice(1, -1);
    if (inner.trim() === '') fail('empty weighted choice');
    const out: Record<string, number> = {};
    for (const part of inner.split(',')) {
      const m = DICT_ENTRY_RE.exec(part);
      if (m === null) return fail('unrecognised weighted choice encoding');
      const key = String(positiveInt(m[2] as string, where));
      const weight = Number(m[3]);
      if (!Number.isFinite(weight)) fail('non-finite weight');
      if (key in out) fail(`choice ${key} appears twice`);
      out[key] = weight;
    }
    return out;
  }
  if (value.startsWith('[') && value.endsWith(']')) {
    if (type !== 'approval' && type !== 'ranked-choice') fail('list choice');
    const inner = value.slice(1, -1).trim();
    if (inner === '') fail('empty choice list');
    const list = inner.split(',').map((s) => positiveInt(s.trim(), where));
    if (new Set(list).size !== list.length) fail('repeated choice');
    return list;
  }
  return fail('unrecognised choice encoding');
}

function highestIndex(choice: VoteChoice): number {
  if (typeof choice === 'number') return choice;
  if (Array.isArray(choice)) return Math.max(0, ...choice);
  return Math.max(0, ...Object.keys(choice).map(Number));
}
