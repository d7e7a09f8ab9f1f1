/**
 * Converter for the Decentraland DAO transparency export
 * (github.com/Decentraland-DAO/transparency, branch gh-pages; Apache-2.0), as stored in
 * `shared/data/decentraland/`:
 *
 * - `proposals.csv` (export of 2026-04-27) plus the proposals only present in
 *   `proposals_2022-05-15.csv`;
 * - `votes_2022-05-15.csv` (Snapshot votes of space snapshot.dcl.eth, 2021-05-24 .. 2022-05-15);
 * - `balances_monthly_history.csv` (treasury balances, first export of each month);
 * - `members.csv` (voting power per member, export of 2026-04-27).
 *
 * financials.csv, grants.csv and vestings.csv are not converted (no canonical record type yet).
 */
import path from 'node:path';
import type {
  CanonicalRecord,
  DaoInput as DaoRecord,
  HolderInput as HolderRecord,
  ProposalInput as ProposalRecord,
  TreasuryBalanceInput as TreasuryBalanceRecord,
  VoteInput as VoteRecord,
} from '../records.ts';
import type { ConvertOptions } from './converter.ts';
import {
  address,
  CsvDataError,
  type CsvRow,
  decimal,
  optAddress,
  optCount,
  optDecimal,
  positiveInt,
  readCsv,
  time,
} from './csv.ts';

export const DECENTRALAND_SLUG = 'decentraland';

/**
 * Date of the `members.csv` (and `proposals.csv`) export, per shared/data/README.md. The file
 * itself carries no date, so every holder record is stamped with it.
 */
export const DECENTRALAND_MEMBERS_AS_OF = '2026-04-27T00:00:00.000Z';

const MANA_TOKEN_ADDRESS = '0x0f5d2fb29fb7d3cfee444a200298f468908cc942';
const FORUM_TOPIC_URL = 'https://forum.decentraland.org/t/';

const PROPOSAL_COLUMNS = [
  'Proposal ID',
  'Snapshot ID',
  'Author',
  'Type',
  'Title',
  'Started',
  'Ended',
  'Threshold',
  'Status',
  'Forum Topic',
  'Total VP',
  'Votes',
];
const VOTE_COLUMNS = ['Member', 'Proposal ID', 'Created', 'Proposal Title', 'Choice #', 'Choice', 'VP'];
const BALANCE_COLUMNS = [
  '_commit_date',
  'Address',
  'Balance',
  'Network',
  'Symbol',
  'Timestamp',
  'Token',
  'USD Balance',
];
const MEMBER_COLUMNS = ['Member', 'Total VP', 'Delegate'];

export function* convertDecentraland(dir: string, options: ConvertOptions = {}): Generator<CanonicalRecord> {
  const warn = options.onWarning ?? (() => {});
  const file = (name: string) => path.join(dir, name);

  const proposals2026 = readCsv(file('proposals.csv'), PROPOSAL_COLUMNS);
  const proposals2022 = readCsv(file('proposals_2022-05-15.csv'), PROPOSAL_COLUMNS);
  const votes = readCsv(file('votes_2022-05-15.csv'), VOTE_COLUMNS);
  const balances = readCsv(file('balances_monthly_history.csv'), BALANCE_COLUMNS);
  const members = readCsv(file('members.csv'), MEMBER_COLUMNS);

  const treasury = treasuryBalances(balances, warn);

  yield daoRecord(treasury);

  // --- proposals -------------------------------------------------------------------------------
  const choiceLabels = choiceLabelsFromVotes(votes);
  const emitted = new Set<string>();

  for (const [rows, exportLabel] of [
    [proposals2026, 'proposals.csv, export of 2026-04-27'],
    [proposals2022, 'proposals_2022-05-15.csv, export of 2022-05-15'],
  ] as const) {
    for (const row of rows) {
      const id = row.req('Snapshot ID');
      if (emitted.has(id)) continue; // the 2026 export wins over the 2022 one
      emitted.add(id);
      yield proposalFromExport(row, choices(choiceLabels.get(id)), exportLabel);
    }
  }

  // Proposals that only the votes file knows about (deleted/hidden from the DAO's proposal list).
  yield* reconstructedProposals(votes, emitted, choiceLabels);

  // --- votes -----------------------------------------------------------------------------------
  for (const row of votes) {
    const vote: VoteRecord = {
      type: 'vote',
      dao: DECENTRALAND_SLUG,
      proposal: row.req('Proposal ID'),
      voter: address(row, 'Member'),
      choice: positiveInt(row.req('Choice #'), `${row.where()} column "Choice #"`),
      voting_power: decimal(row, 'VP'),
      created: time(row, 'Created'),
    };
    yield vote;
  }

  // --- treasury --------------------------------------------------------------------------------
  yield* treasury;

  // --- holders ---------------------------------------------------------------------------------
  for (const row of members) {
    // Decentraland voting power is not a token balance: it adds up wrapped/unwrapped MANA, LAND,
    // ESTATE, NAMES, L1 wearables, rentals and VP delegated *to* the member ("Total VP" equals the
    // sum of all the "... VP" columns including "Delegated VP"). There is no plain MANA balance in
    // the export, so `balance` and `voting_power` both carry "Total VP" verbatim.
    const holder: HolderRecord = {
      type: 'holder',
      dao: DECENTRALAND_SLUG,
      address: address(row, 'Member'),
      balance: decimal(row, 'Total VP'),
      ...definedProp('delegate', optAddress(row, 'Delegate')),
      voting_power: decimal(row, 'Total VP'),
      as_of: DECENTRALAND_MEMBERS_AS_OF,
    };
    yield holder;
  }
}

function daoRecord(treasury: TreasuryBalanceRecord[]): DaoRecord {
  const wallets = [...new Set(treasury.map((t) => t.wallet).filter((w): w is string => w !== undefined))];
  return {
    type: 'dao',
    slug: DECENTRALAND_SLUG,
    name: 'Decentraland DAO',
    description:
      'Decentraland DAO governance, treasury and member data from the Decentraland DAO transparency export ' +
      '(github.com/Decentraland-DAO/transparency, gh-pages branch; Apache-2.0, Copyright 2021 Metaverse Holdings Ltd.).',
    chain: 'ethereum',
    token_symbol: 'MANA',
    governance_token: 'MANA',
    snapshot_space: 'snapshot.dcl.eth',
    token_address: MANA_TOKEN_ADDRESS,
    ...(wallets.length > 0 ? { treasury_addresses: wallets } : {}),
  };
}

function proposalFromExport(row: CsvRow, choiceList: string[], exportLabel: string): ProposalRecord {
  const forumTopic = row.opt('Forum Topic');
  const bodyLines = [
    `Decentraland DAO proposal of type \`${row.req('Type')}\`.`,
    '',
    `- DAO proposal id: \`${row.req('Proposal ID')}\``,
    ...(forumTopic !== undefined ? [`- Forum topic: ${FORUM_TOPIC_URL}${forumTopic.trim()}`] : []),
    `- Source: Decentraland DAO transparency export (${exportLabel})`,
  ];
  return {
    type: 'proposal',
    dao: DECENTRALAND_SLUG,
    id: row.req('Snapshot ID'),
    source: 'snapshot',
    voting_type: 'single-choice',
    title: row.req('Title'),
    body: bodyLines.join('\n'),
    author: address(row, 'Author'),
    choices: choiceList,
    start: time(row, 'Started'),
    end: time(row, 'Ended'),
    state: row.req('Status'),
    ...definedProp('quorum', optDecimal(row, 'Threshold')),
    ...definedProp('scores_total', optDecimal(row, 'Total VP')),
    // The export's count of every vote; the votes file covers 2021-05 .. 2022-05 only.
    ...definedProp('votes_count', optCount(row, 'Votes')),
    ...definedProp('discussion', forumTopic !== undefined ? `${FORUM_TOPIC_URL}${forumTopic.trim()}` : undefined),
  };
}

function* reconstructedProposals(
  votes: CsvRow[],
  known: Set<string>,
  choiceLabels: Map<string, Map<number, string>>,
): Generator<ProposalRecord> {
  const missing = new Map<string, { title: string; first: string; last: string }>();
  for (const row of votes) {
    const id = row.req('Proposal ID');
    if (known.has(id)) continue;
    const created = time(row, 'Created');
    const title = row.req('Proposal Title');
    const seen = missing.get(id);
    if (seen === undefined) {
      missing.set(id, { title, first: created, last: created });
    } else {
      if (seen.title !== title) {
        throw new CsvDataError(
          `${row.where()}: proposal ${id} has two titles: ${JSON.stringify(seen.title)} / ${JSON.stringify(title)}`,
        );
      }
      if (created < seen.first) seen.first = created;
      if (created > seen.last) seen.last = created;
    }
  }
  const ordered = [...missing.entries()].sort(([idA, a], [idB, b]) =>
    a.first < b.first ? -1 : a.first > b.first ? 1 : idA < idB ? -1 : idA > idB ? 1 : 0,
  );
  for (const [id, p] of ordered) {
    known.add(id);
    yield {
      type: 'proposal',
      dao: DECENTRALAND_SLUG,
      id,
      source: 'snapshot',
      voting_type: 'single-choice',
      title: p.title,
      body:
        'Reconstructed from the votes export (votes_2022-05-15.csv) of the Decentraland DAO transparency data: ' +
        "this proposal is not in the DAO's proposals exports. Start and end are the times of the first and last " +
        'vote in that file, not the real voting period; choices are the labels voters picked, so unpicked ' +
        'choices are missing or shown as "Choice N".',
      choices: choices(choiceLabels.get(id)),
      start: p.first,
      end: p.last,
      state: 'closed',
    };
  }
}

/** proposal id → (1-based choice index → label as written in the votes file). */
function choiceLabelsFromVotes(votes: CsvRow[]): Map<string, Map<number, string>> {
  const byProposal = new Map<string, Map<number, string>>();
  for (const row of votes) {
    const id = row.req('Proposal ID');
    const index = positiveInt(row.req('Choice #'), `${row.where()} column "Choice #"`);
    const label = row.get('Choice');
    let labels = byProposal.get(id);
    if (labels === undefined) byProposal.set(id, (labels = new Map()));
    const previous = labels.get(index);
    if (previous !== undefined && previous !== label) {
      throw new CsvDataError(
        `${row.where()}: proposal ${id} choice ${index} has two labels: ${JSON.stringify(previous)} / ${JSON.stringify(label)}`,
      );
    }
    labels.set(index, label);
  }
  return byProposal;
}

/** Labels 1..max; indexes nobody voted for (below the highest one used) become "Choice N". */
function choices(labels: Map<number, string> | undefined): string[] {
  if (labels === undefined || labels.size === 0) return [];
  const max = Math.max(...labels.keys());
  const out: string[] = [];
  for (let i = 1; i <= max; i++) out.push(labels.get(i) ?? `Choice ${i}`);
  return out;
}

/**
 * One treasury_balance per row of balances_monthly_history.csv, stamped with the row's export date
 * (`_commit_date`), so each monthly export is one complete snapshot of every wallet and the series
 * has one point per month. The row's own `Timestamp` is when the exporter last refreshed that
 * token's balance: a balance that did not move keeps an old Timestamp for many months (one DAI
 * balance carries 2022-07-21 in 20 exports), so stamping rows with it scattered each month's
 * holdings over unrelated dates and mixed stale prices into old points. Rows repeating a
 * (date, wallet, chain, token) key would be collapsed keeping the last, with a warning; the
 * shared export has none.
 */
function treasuryBalances(rows: CsvRow[], warn: (m: string) => void): TreasuryBalanceRecord[] {
  const byKey = new Map<string, TreasuryBalanceRecord>();
  let dropped = 0;
  for (const row of rows) {
    const timestamp = time(row, '_commit_date');
    const record: TreasuryBalanceRecord = {
      type: 'treasury_balance',
      dao: DECENTRALAND_SLUG,
      timestamp,
      wallet: address(row, 'Address'),
      chain: row.req('Network').trim().toLowerCase(),
      token_symbol: row.req('Symbol'),
      token_address: address(row, 'Token'),
      amount: decimal(row, 'Balance'),
      ...definedProp('usd_value', optDecimal(row, 'USD Balance')),
    };
    const key = JSON.stringify([
      record.timestamp,
      record.wallet,
      record.chain,
      record.token_symbol,
      record.token_address,
    ]);
    if (byKey.has(key)) {
      dropped++;
      byKey.delete(key); // re-insert so the kept row sits where the last occurrence is
    }
    byKey.set(key, record);
  }
  if (dropped > 0) {
    warn(
      `balances_monthly_history.csv: ${dropped} duplicate (timestamp, wallet, chain, token) rows dropped, kept the last of each`,
    );
  }
  return [...byKey.values()];
}

function definedProp<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
