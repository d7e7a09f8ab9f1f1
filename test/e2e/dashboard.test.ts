import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../scripts/ensure-web.ts';
import { buildServer } from '../../src/api/server.ts';
import { defaultWebRoot } from '../../src/api/web.ts';
import { databaseTargets, repoRoot, type TestDatabase } from '../helpers/db.ts';
import { importSharedData, importText } from '../helpers/fixtures.ts';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const shots = path.join(repoRoot, 'test-results', 'dashboard');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 812 } } as const;

const XSS_BODY = [
  '# Harmless title',
  '<script>window.__xss = "script"</script>',
  '<img src="x" onerror="window.__xss = \'onerror\'">',
  '[click me](javascript:window.__xss=%22link%22) and [ok](https://example.org)',
  '<a href="javascript:window.__xss=1">raw link</a>',
  '```"><img src=x onerror="window.__xss=\'lang\'">\nconst x = "<b>not bold</b>";\n```',
  '<svg onload="window.__xss=\'svg\'"></svg>',
].join('\n\n');

const liveVote = (voter: string, choice: number, power: number) => ({
  type: 'vote',
  dao: 'sanitizer-check',
  proposal: 'live-1',
  voter,
  choice,
  voting_power: power,
  created: new Date().toISOString(),
});

describe('dashboard in a real browser', () => {
  const target = databaseTargets()[0]!; // the browser run needs one database: the embedded one
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  const problems: string[] = [];
  const timings: Record<string, string> = {};

  beforeAll(async () => {
    const [built] = await Promise.all([
      ensureWebBuilt(),
      (async () => {
        database = await target.open();
        await importSharedData(database);
        const records = [
          { type: 'dao', slug: 'sanitizer-check', name: 'Sanitizer Check', chain: 'ethereum' },
          {
            type: 'proposal',
            dao: 'sanitizer-check',
            id: 'xss-1',
            title: 'Body with hostile markup',
            body: XSS_BODY,
            choices: ['Yes', 'No'],
            start: '2024-01-01T00:00:00Z',
            end: '2024-01-08T00:00:00Z',
            state: 'closed',
          },
          {
            type: 'vote',
            dao: 'sanitizer-check',
            proposal: 'xss-1',
            voter: '0x00000000000000000000000000000000000000aa',
            choice: 1,
            voting_power: 10,
            created: '2024-01-02T00:00:00Z',
            reason: '<img src=x onerror="window.__xss=\'reason\'">',
          },
          // An open proposal for the live tally test.
          {
            type: 'proposal',
            dao: 'sanitizer-check',
            id: 'live-1',
            title: 'Open proposal with live tallies',
            body: 'Vote now.',
            choices: ['For', 'Against'],
            start: new Date(Date.now() - 86_400_000).toISOString(),
            end: new Date(Date.now() + 7 * 86_400_000).toISOString(),
            state: 'active',
          },
          liveVote('0x00000000000000000000000000000000000000b1', 1, 10),
        ];
        const { summary } = await importText(database, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        expect(summary.rejected).toBe(0);
      })(),
    ]);
    void built;
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database,
      logger: false,
      webRoot: defaultWebRoot,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    fs.mkdirSync(shots, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.destroy();
    if (Object.keys(timings).length)
      console.log(
        `dashboard performance:\n${Object.entries(timings)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}`,
      );
  });

  /** A page whose console errors, page errors and failed requests are collected in `problems`. */
  async function open(viewport: keyof typeof VIEWPORTS = 'desktop', context?: BrowserContext): Promise<Page> {
    const ctx =
      context ??
      (await browser.newContext({
        viewport: VIEWPORTS[viewport],
        colorScheme: 'light',
        timezoneId: 'Europe/Berlin',
        acceptDownloads: true,
      }));
    const page = await ctx.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url ?? '';
      // Chromium reports every 4xx/5xx response as a console error; judged below per response.
      if (/Failed to load resource/.test(message.text())) return;
      problems.push(`console error: ${message.text()} (${url})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      // Cancelled by the page itself (navigation, an unmounted query, a closed stream).
      if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return page;
  }

  /** Waits until no skeleton is left (data shown, charts drawn). */
  async function settled(page: Page) {
    await page.waitForFunction(() => !document.querySelector('.animate-pulse'), undefined, { timeout: 30_000 });
  }

  async function shoot(page: Page, name: string) {
    await settled(page);
    const size = page.viewportSize()!;
    // Nothing may stick out sideways: wide tables scroll inside their card.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${name} is wider than the ${size.width}px viewport`).toBeLessThanOrEqual(size.width);
    await page.screenshot({ path: path.join(shots, `${name}-${size.width}x${size.height}.png`), fullPage: true });
  }

  async function api<T>(url: string): Promise<T> {
    const response = await fetch(`${base}/api/v1${url}`);
    return ((await response.json()) as { data: T }).data;
  }

  it('serves the dashboard shell for page URLs and keeps API 404s as JSON', async () => {
    for (const url of ['/', '/daos/decentraland', '/compare?daos=a,b']) {
      const response = await fetch(`${base}${url}`);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
    }
    const missing = await fetch(`${base}/api/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    expect((await fetch(`${base}/assets/missing-chunk.js`)).status).toBe(404);
  });

  it('keeps the initial JavaScript under 250 KB gzipped', async () => {
    const page = await open('desktop');
    const scripts = new Map<string, Promise<number>>();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script')
        scripts.set(
          response.url(),
          response.body().then((b) => gzipSync(b).length),
        );
    });
    await page.goto(base);
    await settled(page);
    const sizes = await Promise.all(scripts.values());
    const total = sizes.reduce((a, b) => a + b, 0);
    timings['initial JS (overview, gzipped)'] =
      `${(total / 1024).toFixed(1)} KB in ${sizes.length} files (${[...scripts.keys()].map((u) => u.split('/').pop()).join(', ')})`;
    expect(total).toBeLessThan(250 * 1024);
    await page.context().close();
  });

  for (const viewport of Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[]) {
    it(`renders every page with real data at ${VIEWPORTS[viewport].width}px`, async () => {
      const page = await open(viewport);
      const [busiest] = await api<{ id: number }[]>('/daos/decentraland/proposals?sort=votes&order=desc&per_page=1');

      await page.goto(base);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.getByText('Decentraland DAO').first().waitFor();
      await shoot(page, 'overview');

      await page.goto(`${base}/daos`);
      await page.getByRole('link', { name: 'Decentraland DAO', exact: true }).first().waitFor();
      await shoot(page, 'daos');

      for (const tab of ['governance', 'proposals', 'voters', 'treasury']) {
        await page.goto(`${base}/daos/decentraland?tab=${tab}`);
        await page.getByRole('heading', { name: 'Decentraland DAO' }).waitFor();
        await shoot(page, `dao-${tab}`);
      }

      await page.goto(`${base}/proposals/${busiest!.id}`);
      await page.getByTestId('tallies').waitFor();
      await shoot(page, 'proposal');

      await page.goto(`${base}/compare?daos=decentraland,arbitrum,uniswap`);
      await page.getByTestId('compare-table').waitFor();
      await shoot(page, 'compare');

      await page.goto(`${base}/sources`);
      await page.getByRole('heading', { name: 'Sources', exact: true }).waitFor();
      await shoot(page, 'sources');

      await page.goto(`${base}/no/such/page`);
      await page.getByText('Page not found').waitFor();
      await page.context().close();
      expect(problems).toEqual([]);
    }, 240_000);
  }

  it('searches, sorts and compares three DAOs from the DAO list, with the state in the URL', async () => {
    const page = await open('desktop');
    await page.goto(`${base}/daos`);
    const rows = page.locator('tbody tr');
    await page.getByRole('link', { name: 'Decentraland DAO', exact: true }).first().waitFor();

    await page.getByLabel('Search DAOs', { exact: true }).fill('uni');
    await page.waitForURL(/q=uni/);
    await expect.poll(async () => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Uniswap');
    await page.getByLabel('Search DAOs', { exact: true }).fill('');
    await page.waitForURL((url) => !url.search.includes('q='));

    await page.getByRole('button', { name: /^Votes/ }).click();
    await page.waitForURL(/sort=total_votes/);
    await expect.poll(async () => rows.first().textContent()).toContain('Decentraland DAO');
    await page.getByRole('button', { name: /^Votes/ }).click();
    await page.waitForURL(/sort=total_votes&order=asc|order=asc&sort=total_votes/);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Votes');

    // The header search finds a DAO by name and opens it.
    await page.getByLabel('Search DAOs and proposals').fill('Decentraland');
    await page
      .getByRole('region', { name: 'Search results' })
      .getByRole('link', { name: /Decentraland DAO/ })
      .first()
      .click();
    await page.waitForURL(/\/daos\/decentraland/);

    await page.goto(`${base}/daos?sort=total_votes`);
    for (const name of ['Decentraland DAO', 'Arbitrum DAO', 'Uniswap']) {
      await page.getByRole('checkbox', { name: new RegExp(`Select ${name}`) }).click();
    }
    await page.getByTestId('compare-selected').click();
    await page.waitForURL(/\/compare\?daos=/);
    expect(new URL(page.url()).searchParams.get('daos')!.split(',').sort()).toEqual([
      'arbitrum',
      'decentraland',
      'uniswap',
    ]);
    await page.getByTestId('compare-table').waitFor();
    const headers = await page.getByTestId('compare-table').locator('thead th').allTextContents();
    expect(headers.filter((h) => /Decentraland|Arbitrum|Uniswap/.test(h))).toHaveLength(3);
    // Reloading the shared link gives the same view.
    await page.reload();
    await page.getByTestId('compare-table').waitFor();
    await page.context().close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('opens a proposal from the DAO page, sorts its votes and exports them as CSV', async () => {
    const page = await open('desktop');
    await page.goto(`${base}/daos/decentraland?tab=proposals&psort=votes`);
    const first = page.locator('tbody tr a').first();
    await first.waitFor();
    const title = (await first.textContent())!;
    await first.click();
    await page.waitForURL(/\/proposals\/\d+/);
    await page.getByRole('heading', { name: title.trim() }).waitFor();
    const proposalId = page.url().match(/proposals\/(\d+)/)![1]!;
    const detail = await api<{ votes_count: number; tallies: unknown[] }>(`/proposals/${proposalId}`);
    expect(detail.votes_count).toBeGreaterThan(0);
    expect(await page.getByTestId('tallies').locator('li').count()).toBe(detail.tallies.length);

    await page.getByRole('button', { name: /^Time/ }).click();
    await page.waitForURL(/sort=created/);

    const href = await page.getByTestId('csv-export').getAttribute('href');
    expect(href).toMatch(new RegExp(`/api/v1/proposals/${proposalId}/votes\\?format=csv`));
    const csv = await fetch(`${base}${href}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    // Parsed, not split on newlines: reasons may hold quoted line breaks.
    const records = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toContain('voter');
    expect(records).toHaveLength(detail.votes_count);
    await page.context().close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('adds a DAO from the sources form, naming each field to fix first', async () => {
    const page = await open('desktop');
    await page.goto(`${base}/sources`);
    const form = page.getByRole('form', { name: 'Add a DAO' });
    await form.getByRole('button', { name: 'Add DAO' }).click();
    await form.getByText('Give the DAO a name').waitFor();
    await form.getByText('Enter the Snapshot space').waitFor();
    await form.getByPlaceholder('ENS DAO').fill('Browser Test DAO');
    await form.getByPlaceholder('ens.eth').fill('browser-test.eth');
    await form.getByRole('button', { name: 'Add DAO' }).click();
    await page.getByRole('status').filter({ hasText: 'Added' }).waitFor();
    const created = await api<{ slug: string; snapshot_space: string }>('/daos/browser-test-dao');
    expect(created).toMatchObject({ slug: 'browser-test-dao', snapshot_space: 'browser-test.eth' });
    // The list of sources picks the new DAO up without a reload.
    await page.getByRole('cell', { name: 'browser-test.eth' }).waitFor();
    // A second submission of the same slug is a conflict, said in words.
    await form.getByPlaceholder('ENS DAO').fill('Browser Test DAO');
    await form.getByPlaceholder('ens.eth').fill('browser-test.eth');
    const conflict = page.waitForResponse((r) => r.url().endsWith('/api/v1/daos') && r.status() === 409);
    await form.getByRole('button', { name: 'Add DAO' }).click();
    await conflict;
    await form.getByText('A DAO with this slug already exists.').waitFor();
    await page.context().close();
    expect(problems.filter((p) => !/HTTP 409 .*\/api\/v1\/daos$/.test(p))).toEqual([]);
    problems.length = 0;
  }, 120_000);

  it('updates the tallies of an open proposal from the live stream', async () => {
    const page = await open('desktop');
    // The stream is replaced by one that sends a vote event once the test has stored the vote.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const event = {
      type: 'vote.cast',
      dao: 'sanitizer-check',
      proposal: 'live-1',
      voter: '0x00000000000000000000000000000000000000b2',
      choice: 2,
      voting_power: '30',
    };
    await page.route('**/api/v1/stream**', async (route) => {
      await released;
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: `: heartbeat\n\nevent: vote.cast\ndata: ${JSON.stringify(event)}\n\n`,
      });
    });
    await page.goto(`${base}/proposals/live-1`);
    const tallies = page.getByTestId('tallies');
    await tallies.getByText('1 vote', { exact: true }).first().waitFor();
    expect(await tallies.textContent()).toContain('0 votes');
    await importText(database, JSON.stringify(liveVote(event.voter, 2, 30)) + '\n');
    release();
    await expect.poll(async () => tallies.textContent(), { timeout: 20_000 }).toMatch(/Against30 VP · 75%1 vote/);
    await page.context().close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('tells a new user how to add a DAO or import a file when the server is empty', async () => {
    const empty = await target.open();
    const emptyApp = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database: empty,
      logger: false,
      webRoot: defaultWebRoot,
    });
    try {
      await emptyApp.listen({ port: 0, host: '127.0.0.1' });
      const emptyBase = `http://127.0.0.1:${(emptyApp.server.address() as { port: number }).port}`;
      for (const viewport of ['desktop', 'phone'] as const) {
        const page = await open(viewport);
        await page.goto(emptyBase);
        await page.getByText('No DAOs yet').waitFor();
        expect(await page.getByText(/npx dao-portal import/).count()).toBeGreaterThan(0);
        expect(await page.getByRole('link', { name: 'Sources' }).count()).toBeGreaterThan(0);
        await shoot(page, 'overview-empty');
        await page.goto(`${emptyBase}/daos`);
        await page.getByText('No DAOs yet').waitFor();
        await page.goto(`${emptyBase}/compare`);
        await page.getByText('Pick DAOs to compare').waitFor();
        await page.context().close();
      }
    } finally {
      await emptyApp.close();
      await empty.destroy();
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('shows where keyboard focus is', async () => {
    const page = await open('desktop');
    await page.goto(`${base}/daos`);
    await page.getByRole('link', { name: 'Decentraland DAO', exact: true }).first().waitFor();
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, visible: el.getBoundingClientRect().width > 1 };
    });
    expect(skip).toEqual({ text: 'Skip to content', visible: true });
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.context().close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('switches to the dark theme and remembers it', async () => {
    const page = await open('desktop');
    await page.goto(`${base}/daos/decentraland?tab=treasury`);
    await settled(page);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    await page.getByTestId('theme-toggle').click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await shoot(page, 'dark-dao-treasury');
    await page.goto(`${base}/proposals/xss-1`);
    await shoot(page, 'dark-proposal');
    await page.setViewportSize(VIEWPORTS.phone);
    await page.goto(`${base}/`);
    await shoot(page, 'dark-overview');
    await page.context().close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('renders hostile proposal markup as text and runs none of it', async () => {
    const page = await open('desktop');
    await page.goto(`${base}/proposals/xss-1`);
    const body = page.getByTestId('proposal-body');
    await body.waitFor();
    await settled(page);
    const text = (await body.textContent())!;
    expect(text).toContain('<script>window.__xss = "script"</script>');
    expect(text).toContain('<img src="x" onerror=');
    expect(text).toContain('const x = "<b>not bold</b>";');
    const inspection = await page.evaluate(() => {
      const root = document.querySelector('[data-testid="proposal-body"]')!;
      const all = [...root.querySelectorAll('*')];
      return {
        flag: (window as unknown as { __xss?: unknown }).__xss ?? null,
        scripts: root.querySelectorAll('script, iframe, object, embed, svg, img[onerror]').length,
        handlers: all.filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        jsLinks: [...root.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? ''))
          .length,
        safeLink: root.querySelector('a[href="https://example.org"]')?.getAttribute('rel') ?? null,
        codeClasses: [...root.querySelectorAll('code')].map((c) => c.className),
      };
    });
    expect(inspection).toMatchObject({ flag: null, scripts: 0, handlers: 0, jsLinks: 0 });
    expect(inspection.safeLink).toContain('noopener');
    expect(inspection.codeClasses.every((c) => !/[<>"]/.test(c))).toBe(true);
    // The vote reason is author text too.
    await page.getByText('<img src=x onerror=').first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null)).toBeNull();
    await shoot(page, 'proposal-xss');
    await page.context().close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('makes the DAO page with ~20k votes interactive quickly', async () => {
    const dao = await api<{ total_votes: number }>('/daos/decentraland');
    expect(dao.total_votes).toBeGreaterThan(19_000);
    const page = await open('desktop');
    // Warm the HTTP cache the way a returning visitor has it, then measure a full load.
    await page.goto(`${base}/daos/decentraland`);
    await settled(page);
    /** Interactive: header, KPI figures and the tab bar usable; settled: every chart drawn. */
    const measure = async (p: Page) => {
      const started = Date.now();
      await p.goto(`${base}/daos/decentraland`);
      await p.locator('[data-kpi="Members"]').getByText(/\d/).waitFor();
      await p.getByRole('tab', { name: 'Treasury' }).waitFor();
      const interactive = Date.now() - started;
      await settled(p);
      return { interactive, settled: Date.now() - started };
    };
    const runs: { interactive: number; settled: number }[] = [];
    for (let i = 0; i < 3; i++) runs.push(await measure(page));
    const cold = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const first = await measure(await open('desktop', cold));
    const median = (key: 'interactive' | 'settled') => runs.map((r) => r[key]).sort((a, b) => a - b)[1]!;
    timings['DAO page (decentraland, 19.4k votes)'] =
      `interactive cold ${first.interactive} ms, warm median ${median('interactive')} ms (target < 1500 ms); ` +
      `all charts drawn cold ${first.settled} ms, warm median ${median('settled')} ms`;
    // Generous bound: a shared 2-core machine under parallel test load is noisy.
    expect(median('interactive')).toBeLessThan(10_000);
    await cold.close();
    await page.context().close();
    expect(problems).toEqual([]);
  }, 120_000);
});
