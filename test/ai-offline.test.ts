import fs from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeOffline, voteReasonSentiment } from '../src/ai/offline/analyze.ts';
import { offlineProvider } from '../src/ai/providers/offline.ts';
import { ProposalAnalysis } from '../src/ai/schema.ts';
import { getProposal, listProposals } from '../src/db/queries/governance.ts';
import { converters } from '../src/import/converters/index.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const aaveDir = path.join(sharedData, 'aave-proposals');
// Independent expectations, straight from the raw file.
const raw = fs
  .readFileSync(path.join(aaveDir, 'proposals.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; title: string; body: string });

describe('aave converter', () => {
  it('emits the aave DAO and one proposal per text, body verbatim', () => {
    const records = [...converters.aave(aaveDir)];
    expect(records[0]).toMatchObject({ type: 'dao', slug: 'aave', token_symbol: 'AAVE' });
    const proposals = records.filter((r) => r.type === 'proposal');
    expect(proposals).toHaveLength(raw.length);
    expect(raw.length).toBe(569);
    // In file order, each text once; a folder's second text gets the folder name and -2.
    proposals.forEach((p, i) => {
      if (p.type !== 'proposal') throw new Error('not a proposal');
      expect(p.body).toBe(raw[i]!.body);
      expect(p.id.startsWith(raw[i]!.id)).toBe(true);
    });
    expect(new Set(proposals.map((p) => (p.type === 'proposal' ? p.id : ''))).size).toBe(569);
  });
});

describe.each(databaseTargets())('offline analysis of the 569 real Aave proposals on $kind', (target) => {
  let database: TestDatabase;
  const bodies: { id: number; externalId: string; title: string; body: string; choices: string[] }[] = [];

  beforeAll(async () => {
    database = await target.open();
    let text = '';
    for (const record of converters.aave(aaveDir)) text += `${JSON.stringify(record)}\n`;
    const { summary, rejections } = await importText(database, text, { source: 'aave' });
    expect(rejections).toEqual([]);
    expect(summary.byType.proposal?.inserted).toBe(raw.length);
    const dao = (await database.query<{ id: number }>("select id from daos where slug = 'aave'"))[0]!;
    for (let page = 1; ; page++) {
      const { rows } = await listProposals(database.db, dao.id, { page, perPage: 200, sort: 'start', order: 'asc' });
      for (const r of rows) {
        const full = await getProposal(database.db, String(r.id));
        bodies.push({ id: r.id, externalId: r.externalId, title: full.title, body: full.body, choices: full.choices });
      }
      if (rows.length < 200) break;
    }
  }, 300_000);

  afterAll(async () => {
    await database?.destroy();
  });

  it('reads every stored body back as imported', () => {
    expect(bodies).toHaveLength(raw.length);
    const stored = bodies.map((b) => b.body).sort();
    expect(stored).toEqual(raw.map((r) => r.body).sort());
  });

  it('draws every summary sentence from the body, extracts what the body holds, and validates', () => {
    let withTldr = 0;
    let withAmounts = 0;
    let withAddresses = 0;
    let money = 0;
    for (const p of bodies) {
      const a = analyzeOffline({ title: p.title, body: p.body, choices: p.choices, reasons: [] });
      expect(Value.Check(ProposalAnalysis, a)).toBe(true);
      const quoted = [
        a.tldr,
        ...a.key_points,
        ...a.what_changes,
        ...a.who_is_affected,
        ...a.risks,
        ...a.open_questions,
      ];
      for (const s of quoted) if (s !== '') expect(p.body, `${p.externalId}: ${s}`).toContain(s);
      // A sentence is never both the TL;DR and a key point.
      expect(a.key_points).not.toContain(a.tldr);
      for (const amount of a.entities.amounts) expect(p.body).toContain(amount.text);
      for (const token of a.entities.tokens) expect(p.body).toContain(token);
      for (const address of a.entities.addresses) expect(p.body).toContain(address);
      for (const d of a.entities.durations) expect(p.body).toContain(d);
      for (const m of a.money) {
        expect(p.body).toContain(m.amount);
        if (m.recipient !== null) expect(p.body).toContain(m.recipient);
      }
      // Every address in the text is found (case-insensitively, once each).
      const inBody = new Set([...p.body.matchAll(/\b0x[0-9a-fA-F]{40}\b/g)].map((m) => m[0].toLowerCase()));
      expect(new Set(a.entities.addresses.map((x) => x.toLowerCase()))).toEqual(inBody);
      if (a.tldr !== '') withTldr++;
      if (a.entities.amounts.length > 0) withAmounts++;
      if (a.entities.addresses.length > 0) withAddresses++;
      money += a.money.length;
    }
    // Texts with no prose at all (empty templates) have no TL;DR; the rest do.
    const prose = bodies.filter((p) =>
      /[a-z]{3,}[^.\n]*\s[a-z]{3,}[^.\n]*\.\s/.test(p.body.split('## References')[0]!),
    );
    expect(withTldr).toBeGreaterThanOrEqual(prose.length * 0.95);
    expect(withAmounts).toBeGreaterThan(bodies.length / 2);
    expect(withAddresses).toBeGreaterThan(50);
    expect(money).toBeGreaterThan(20);
  });

  it('gives the same output for the same input', () => {
    for (const p of bodies.slice(0, 120)) {
      const subject = { title: p.title, body: p.body, choices: p.choices, reasons: [] };
      expect(analyzeOffline(subject)).toEqual(analyzeOffline(subject));
    }
  });

  it('ranks the summary section first where the author wrote one', () => {
    // The TL;DR of a text with a "Simple Summary" paragraph comes from that paragraph in most texts.
    let fromSummary = 0;
    let total = 0;
    for (const p of bodies) {
      const m = /## Simple Summary\n+([\s\S]*?)\n## /.exec(p.body);
      if (!m || m[1]!.trim().length < 80) continue;
      const a = analyzeOffline({ title: p.title, body: p.body, choices: p.choices, reasons: [] });
      total++;
      if (a.tldr !== '' && m[1]!.includes(a.tldr)) fromSummary++;
    }
    expect(total).toBeGreaterThan(300);
    expect(fromSummary / total).toBeGreaterThan(0.8);
  });
});

describe('offline amounts, tokens, durations', () => {
  it('reads amounts with their units and values', () => {
    const body =
      'This proposal requests 1,500,000 USDC and 250k GHO to be transferred to 0x1111111111111111111111111111111111111111 over 6 months. ' +
      'The budget of $2.5M is paid in AAVE. The LTV rises by 25 bps to 80%, with a twelve-month review and a 30-day stream.';
    const a = analyzeOffline({ title: 't', body, choices: [], reasons: [] });
    expect(a.entities.amounts).toEqual([
      { text: '1,500,000 USDC', value: 1_500_000, unit: 'USDC' },
      { text: '250k GHO', value: 250_000, unit: 'GHO' },
      { text: '$2.5M', value: 2_500_000, unit: 'USD' },
      { text: '25 bps', value: 25, unit: 'bps' },
      { text: '80%', value: 80, unit: '%' },
    ]);
    expect(a.entities.tokens).toEqual(['USDC', 'GHO', 'AAVE']);
    expect(a.entities.durations).toEqual(['6 months', 'twelve-month', '30-day']);
    expect(a.money).toEqual([
      { amount: '1,500,000 USDC', token: 'USDC', recipient: '0x1111111111111111111111111111111111111111' },
      { amount: '250k GHO', token: 'GHO', recipient: '0x1111111111111111111111111111111111111111' },
      { amount: '$2.5M', token: 'USD', recipient: null },
    ]);
  });
});

describe('offline vote-reason sentiment (packaged wink model)', () => {
  it('scores reasons per choice and finds their shared themes', () => {
    const result = voteReasonSentiment(
      [
        { choice: 'For', reason: 'Great proposal, the new caps are a good and safe improvement.' },
        { choice: 'For', reason: 'I love that the caps grow with demand. Excellent work.' },
        { choice: 'Against', reason: 'This is a terrible idea: the caps are too risky and the oracle is bad.' },
        { choice: 'Against', reason: 'Awful timing, the caps will hurt depositors.' },
        { choice: 'Abstain', reason: 'The caps change on Tuesday.' },
      ],
      ['For', 'Against', 'Abstain'],
    );
    const by = new Map(result.map((r) => [r.choice, r]));
    expect(by.get('For')!.sentiment).toBeGreaterThan(0.1);
    expect(by.get('For')!.positive).toBe(2);
    expect(by.get('Against')!.sentiment).toBeLessThan(-0.1);
    expect(by.get('Against')!.negative).toBe(2);
    expect(by.get('Abstain')!.neutral).toBe(1);
    expect(by.get('For')!.themes[0]).toBe('caps');
    expect(by.get('Against')!.themes[0]).toBe('caps');
  });

  it('the provider answers without network and lists its one model', async () => {
    const provider = offlineProvider();
    expect(provider.validateConfig()).toEqual([]);
    expect(await provider.listModels()).toEqual([{ provider: 'offline', id: 'textrank-wink-1', default: true }]);
    const answer = await provider.analyze({
      kind: 'proposal-summary',
      subject: {
        title: 't',
        body: raw[1]!.body,
        choices: ['For', 'Against'],
        reasons: [{ choice: 'For', reason: 'Good.' }],
      },
    });
    expect(answer.model).toBe('textrank-wink-1');
    expect(answer.result.vote_reasons?.reasons).toBe(1);
    expect(raw[1]!.body).toContain(answer.result.tldr);
  });
});
