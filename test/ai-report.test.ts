import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/ai/registry.ts';
import { checkCitations } from '../src/ai/report/citations.ts';
import type { ReportFigures } from '../src/ai/report/figures.ts';
import { offlineReport } from '../src/ai/report/offline.ts';
import { AiService } from '../src/ai/service.ts';
import type { DaoReportResponse, Summary } from '../src/api/contract.ts';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/logger/index.ts';
import { type SignedIn, signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { envFor, type FakeProvider, startFakeProvider } from './helpers/fake-ai.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

/** Uniswap's real votes, proposals and holders from the shared Tokenomics export, and Aave's holders (a DAO without votes). */
const KEPT = new Set(['uniswap', 'aave']);
const WINDOW = 'from=2025-03-01&to=2026-03-01';

describe.each(databaseTargets())('DAO governance report on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let ai: AiService;
  let openai: FakeProvider;
  let editor: SignedIn;
  let viewer: SignedIn;

  beforeAll(async () => {
    database = await target.open();
    openai = await startFakeProvider('openai', { key: 'sk-report' });
    const text = convertedNdjson('tokenomics')
      .split('\n')
      .filter((line) => line && KEPT.has(JSON.parse(line).dao ?? JSON.parse(line).slug))
      .join('\n');
    const { rejections } = await importText(database, text, { source: 'tokenomics' });
    expect(rejections).toEqual([]);
    const config = loadConfig({ ...envFor(openai, 'sk-report'), AI_PROVIDER: 'openai', AI_ATTEMPTS: '1' }).ai;
    ai = new AiService(createRegistry(config), database, createLogger('silent'));
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database,
      logger: false,
      ai,
      webRoot: false,
    });
    editor = await signIn(app, database, 'editor');
    viewer = await signIn(app, database, 'viewer');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ai?.close();
    await openai?.close();
    await database?.destroy();
  });

  const get = async (url: string, headers = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    expect(res.statusCode, res.body.slice(0, 400)).toBe(200);
    return res.json().data;
  };
  const report = (query: string, headers = {}): Promise<DaoReportResponse> =>
    get(`/api/v1/daos/uniswap/report?${query}`, headers);
  const answer = (headline: string, ...paragraphs: string[]) => ({
    kind: 'ok' as const,
    text: JSON.stringify({ headline, paragraphs }),
    usage: { input: 900, output: 120 },
  });

  it("builds its figures from the portal's own summary of the window, and readers get the offline report", async () => {
    const summary: Summary = await get(`/api/v1/daos/uniswap/metrics/summary?${WINDOW}`);
    const before = openai.chats().length;
    const r = await report(WINDOW);
    expect(openai.chats().length).toBe(before); // a reader never starts a model call
    expect([r.provider, r.model, r.fallback_reason, r.prompt_version]).toEqual([
      'offline',
      'textrank-wink-1',
      null,
      'dao-report/1',
    ]);
    const f = r.figures;
    expect(f.window).toEqual({ from: summary.from, to: summary.to, days: 365 });
    const a = summary.activity;
    expect(f.summary).toEqual({
      proposals: a.proposals,
      votes: a.votes,
      voters: a.voters,
      new_voters: a.new_voters,
      returning_voters: a.returning_voters,
      retention: a.retention,
    });
    const o = summary.outcomes;
    expect(f.outcomes).toEqual({ ...o, failed: o.decided - o.passed, undecided: o.closed - o.decided });
    const { vp_cast: _vp, turnout_proposals: _tp, ...participation } = summary.participation;
    expect(f.participation).toEqual(participation);
    for (const who of ['voters', 'holders', 'delegates'] as const) {
      const c = summary.concentration[who];
      expect(f.concentration[who]).toEqual(
        c && {
          count: c.count,
          gini: c.gini,
          hhi: c.hhi,
          nakamoto: c.nakamoto,
          top1_share: c.top1_share,
          top5_share: c.top5_share,
          top10_share: c.top10_share,
        },
      );
    }
    // The real data has votes, holders and closed proposals in the window.
    expect(f.summary.votes).toBeGreaterThan(0);
    expect(f.outcomes.closed).toBeGreaterThan(0);
    expect(f.concentration.voters?.count).toBeGreaterThan(0);
    expect(f.concentration.holders?.count).toBe(1000);
    // The offline narrative cites only the figures, and quotes them.
    const text = [r.headline, ...r.paragraphs].join('\n');
    expect(checkCitations(text, f)).toEqual({ ok: true, invented: [] });
    expect(text).toContain(`${f.outcomes.closed.toLocaleString('en-US')} proposals closed`);
    // Stored once, reused by the next reader.
    expect((await report(WINDOW)).id).toBe(r.id);
  });

  it('gives null, never 0, for what a DAO without votes cannot know', async () => {
    const r: DaoReportResponse = await get(`/api/v1/daos/aave/report?${WINDOW}`);
    expect(r.figures.summary).toMatchObject({ votes: null, voters: null, new_voters: null, returning_voters: null });
    expect(r.figures.concentration.voters).toBeNull();
    expect(r.figures.concentration.holders?.count).toBe(1000);
    expect(r.paragraphs.join(' ')).toContain('vote counts are not known');
  });

  it('accepts and stores a model report that cites only the figures, and reuses it without a second call', async () => {
    const window = 'from=2025-06-01&to=2026-01-01';
    const f = (await report(window)).figures; // the offline report of the same figures, made by a reader
    const first = f.window.from.slice(0, 10);
    openai.next(
      answer(
        `Uniswap passed ${f.outcomes.passed} of ${f.outcomes.closed} closed proposals.`,
        `From ${first}, ${f.summary.votes!.toLocaleString('en-US')} votes came from ${f.summary.voters} voters over ${f.window.days} days.`,
        `The pass rate was ${(f.outcomes.pass_rate! * 100).toFixed(1)}% and the top 10 holders held ${(f.concentration.holders!.top10_share * 100).toFixed(1)}% in 2025.`,
      ),
    );
    const before = openai.chats().length;
    const r = await report(`${window}&priority=balanced`, editor.key);
    expect(openai.chats().length - before).toBe(1);
    expect([r.provider, r.model, r.fallback_reason, r.priority]).toEqual(['openai', 'gpt-4.1-mini', null, 'balanced']);
    expect([r.input_tokens, r.output_tokens]).toEqual([900, 120]);
    expect(r.headline).toContain(`passed ${f.outcomes.passed} of`);
    expect(r.figures).toEqual(f);
    // The figures went to the model as data between the boundary lines.
    const sent = openai.chats().at(-1)!.body.messages as { role: string; content: string }[];
    expect(sent[1]!.content).toMatch(/^BEGIN-REPORT-FIGURES [0-9a-f]{24}\n\{"dao":/);
    // The same request again reuses the stored report: no second provider request.
    const again = await report(`${window}&priority=balanced`, editor.key);
    expect(again.id).toBe(r.id);
    expect(openai.chats().length - before).toBe(1);
    // Readers now see the newest report of these figures.
    expect((await report(window)).id).toBe(r.id);
  });

  it('refuses a model report with an invented number, asks once more, then stores the offline report with the reason', async () => {
    const window = 'from=2025-09-01&to=2026-02-01';
    openai.next(
      answer('Participation rose to 4242 voters.', 'Every proposal passed.'),
      answer('Uniswap had 77.7% turnout.', 'Nothing else.'),
    );
    const before = openai.chats().length;
    const r = await report(window, editor.key);
    expect(openai.chats().length - before).toBe(2);
    expect(r.provider).toBe('offline');
    expect(r.fallback_reason).toMatch(
      /^openai: invalid-output: the report cites numbers not in its figures \(4242\), attempt 1; openai: invalid-output: the report cites numbers not in its figures \(77\.7%\), attempt 2$/,
    );
    expect(checkCitations([r.headline, ...r.paragraphs].join('\n'), r.figures).ok).toBe(true);
    // Both refused calls are counted, with their tokens, as errors of the provider.
    const [usage] = await database.query<{ calls: number; errors: number; input_tokens: string }>(
      "select sum(calls)::int as calls, sum(errors)::int as errors, sum(input_tokens)::text as input_tokens from ai_usage where provider = 'openai'",
    );
    expect(usage).toMatchObject({ errors: 2 });
    expect(Number(usage!.input_tokens)).toBeGreaterThanOrEqual(2 * 900);
  });

  it('defaults to the 90 whole UTC days through today, and is described in the OpenAPI document', async () => {
    const r = await report('');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(r.figures.window).toEqual({
      from: new Date(Date.parse(tomorrow) - 90 * 86_400_000).toISOString(),
      to: `${tomorrow}T00:00:00.000Z`,
      days: 90,
    });
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = spec.paths['/api/v1/daos/{id}/report'].get;
    expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['from', 'id', 'priority', 'provider', 'to'].sort(),
    );
    expect(
      Object.keys(operation.responses['200'].content['application/json'].schema.properties.data.properties),
    ).toEqual(expect.arrayContaining(['headline', 'paragraphs', 'figures', 'provider', 'model', 'created_at']));
  });

  it('refuses bad windows and report requests with a 4xx naming the parameter', async () => {
    const bad = async (query: string, parameter: string, status = 400, headers = {}) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/daos/uniswap/report?${query}`, headers });
      expect(res.statusCode, res.body).toBe(status);
      if (status === 400) expect(res.json().error.details?.[0]?.parameter ?? res.body).toBe(parameter);
      expect(res.body).toContain(parameter);
    };
    await bad('from=yesterday', 'from');
    await bad('to=2025-13-45', 'to');
    await bad('from=2026-01-01&to=2025-01-01', 'from');
    await bad('from=0999-01-01', 'from');
    await bad('to=0', 'to');
    await bad('from=2025-01-01&to=2025-01-01', 'to');
    await bad('priority=fastest', 'priority');
    await bad('priority=speed', 'write', 403, viewer.key);
    await bad('priority=speed', 'UNAUTHENTICATED', 401);
    await bad('provider=anthropic', 'provider', 400, editor.key);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/daos/no-such-dao/report' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('the citation rule', () => {
  const figures: ReportFigures = {
    dao: { id: 1, slug: 'demo', name: 'Demo 3 DAO' },
    window: { from: '2025-01-01T00:00:00.000Z', to: '2025-04-01T00:00:00.000Z', days: 90 },
    summary: { proposals: 12, votes: 12_345, voters: 1234, new_voters: 40, returning_voters: 1194, retention: 0.3849 },
    outcomes: {
      closed: 10,
      decided: 8,
      passed: 6,
      failed: 2,
      undecided: 2,
      pass_rate: 0.75,
      avg_margin: 0.4123,
      contested: 1,
    },
    participation: {
      closed_proposals: 10,
      mean_voters_per_proposal: 101.25,
      median_voters_per_proposal: 88,
      participation_rate: null,
      turnout_vp: 0.0521,
      turnout_basis: 'holders',
      voter_holder_ratio: null,
      holders: null,
      voting_holders: null,
    },
    concentration: { voters: null, holders: null, delegates: null },
    treasury: { total_usd: 2_460_000, change_usd: -50_000, change_pct: -0.02, runway_months: null },
  };
  const check = (text: string) => checkCitations(text, figures).invented;

  it('normalises separators, suffixes, percentages and rounding to the shown precision', () => {
    expect(check('12,345 votes, or 12.3K, or 12K; 1,234 voters; 38.5% retained; 38% too; 0.38 as a ratio.')).toEqual(
      [],
    );
    expect(check('Turnout 5.2%, margin 41.2 percent, $2.5M treasury ($2,460,000), fell by 2% or $50K.')).toEqual([]);
    expect(check('Mean 101.3 voters, median 88, 6 of 10 passed, 75% pass rate, top 10 and top 1.')).toEqual([]);
  });

  it('allows the dates and years of the window and the numbers of the DAO name', () => {
    expect(check('From 2025-01-01 to March 31, 2025 (1 January 2025 – March 2025), in 2025, Demo 3 DAO.')).toEqual([]);
    expect(check('Since 2024-12-31, April 2, 2025 and June 2025, 10-12 proposals.')).toEqual([
      '2024-12-31',
      'April 2, 2025',
      'June 2025',
    ]);
  });

  it('names each invented number, unknown figures included', () => {
    expect(check('4242 voters and a 77.7% turnout, 12.4K votes, 38.6% retention.')).toEqual([
      '4242',
      '77.7%',
      '12.4K',
      '38.6%',
    ]);
    // participation_rate is null: no number stands for it, and 0 is not a figure here.
    expect(check('A participation rate of 0%, 0 holders.')).toEqual(['0%', '0']);
    expect(check('In 2023.')).toEqual(['2023']);
  });

  it('the offline report of any figures passes it', () => {
    const r = offlineReport(figures);
    expect(checkCitations([r.headline, ...r.paragraphs].join('\n'), figures)).toEqual({ ok: true, invented: [] });
    expect(r.paragraphs.join(' ')).toContain('Turnout was 5.2% of the listed holders’ balances.');
  });
});
