// Browser test for analytics on the demo community: the community manager opens the KPI
// dashboard of the Open Source Guild; the charts render (sparklines, the 12-month line
// charts, the retention heat map) and every figure on the page matches the JSON API. Then
// the monthly leadership report: the manager's notes show, and printing leaves out the
// site's navigation and the forms. axe-core scans both pages in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server with `serve --demo` (see server.mjs). Screenshots and the server
// log go to e2e/test-results/analytics/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { goto, harness, norm } from './helpers.mjs';

const TEST_TIMEOUT_MS = 240_000;
const DEMO_SEED_MS = 300_000;
const SLUG = 'open-source-guild';
const MANAGER = 'maya@demo.townsquare.test';
const DEMO_PASSWORD = 'townsquare-demo';

const h = harness('analytics', { extraArgs: ['--demo'], healthTimeoutMs: DEMO_SEED_MS });

/** "12.3%" → 12.3 */
const percentOf = (text) => Number(text.replace('%', ''));

describe('analytics in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server seeds the demo and Chromium launches', { timeout: DEMO_SEED_MS + 60_000 }, async () => {
    await h.start();
  });

  it('the dashboard of the demo community draws its charts and shows the API\'s figures', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const ctx = await h.newContext();
    const p = await ctx.newPage();
    try {
      await h.logIn(p, MANAGER, DEMO_PASSWORD);
      // The page first: opening it records the manager's visit, which the API then counts too.
      await goto(p, `/c/${SLUG}/analytics`);
      const { token } = await h.api('POST', '/api/v1/auth/token', null, { email: MANAGER, password: DEMO_PASSWORD });
      const api = await h.api('GET', `/api/v1/communities/${SLUG}/analytics`, token);

      // Counts are shown as they are; rates as percentages with one decimal.
      const counts = { dau: 'dau', wau: 'wau', mau: 'mau', new_members: 'new_members', members: 'members_at_end' };
      for (const [card, field] of Object.entries(counts)) {
        const shown = norm(await p.locator(`#kpi-${card} [data-figure]`).innerText());
        assert.equal(shown, String(api.figures[field]), `${card}: the page shows ${shown}, the API says ${api.figures[field]}`);
      }
      const rates = ['stickiness', 'active_member_rate', 'contribution_rate', 'activation_rate', 'activity_churn'];
      for (const field of rates) {
        const shown = percentOf(norm(await p.locator(`#kpi-${field} [data-figure]`).innerText()));
        assert.ok(Math.abs(shown - api.figures[field] * 100) <= 0.051, `${field}: the page shows ${shown}%, the API says ${api.figures[field]}`);
      }
      const attendance = percentOf(norm(await p.locator('#kpi-attendance_rate [data-figure]').innerText()));
      assert.ok(Math.abs(attendance - api.events.totals.attendance_rate * 100) <= 0.051, `attendance ${attendance}% vs ${api.events.totals.attendance_rate}`);
      // A living community: members were active this month.
      assert.ok(api.figures.mau > 0, `the demo has no active members: ${JSON.stringify(api.figures)}`);

      // Charts: every card's sparkline, and the 12-month MAU chart whose points are the API's.
      const sparklines = p.locator('.kpi svg.sparkline');
      assert.ok(await sparklines.count() >= 9, 'the key-figure cards lost their sparklines');
      const mauChart = p.locator('svg[aria-labelledby^="mau-chart"]');
      await mauChart.scrollIntoViewIfNeeded();
      const box = await mauChart.boundingBox();
      assert.ok(box && box.width > 200 && box.height > 80, `the MAU chart is not drawn: ${JSON.stringify(box)}`);
      const points = await mauChart.locator('circle.chart-dot > title').allTextContents();
      assert.deepEqual(points, api.months.map((m) => `${m.month}: ${m.mau}`));
      assert.equal(await p.locator('figure.heat-figure svg').count(), 1, 'the retention heat map is missing');
      // The data tables behind the charts carry the same numbers, for screen readers.
      const firstRow = await p.locator('#series-table tbody tr').first().locator('th, td').allInnerTexts();
      assert.equal(norm(firstRow[0]), api.months[0].month);
      assert.equal(norm(firstRow[1]), String(api.months[0].mau));
      // The lists: champions and trending tags of the demo's story.
      assert.ok(await p.locator('#champions li').count() > 0, 'no champions listed');
      assert.ok(await p.locator('#trending li').count() > 0, 'no trending tags listed');
      await h.scan(p, 'dashboard');
    } finally {
      await ctx.close();
    }
  });

  it('the leadership report shows the manager\'s notes and prints without navigation or forms', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const ctx = await h.newContext();
    const p = await ctx.newPage();
    try {
      await h.logIn(p, MANAGER, DEMO_PASSWORD);
      await goto(p, `/c/${SLUG}/analytics`);
      await Promise.all([p.waitForEvent('load'), p.getByRole('link', { name: 'leadership report' }).click()]);
      const { token } = await h.api('POST', '/api/v1/auth/token', null, { email: MANAGER, password: DEMO_PASSWORD });
      const api = await h.api('GET', `/api/v1/communities/${SLUG}/analytics/report`, token);
      const heading = norm(await p.getByRole('heading', { level: 1 }).innerText());
      assert.match(heading, /^Community report: \w+ \d{4}$/);
      assert.ok(api.highlights.length > 0, 'the demo has no highlights for last month');
      const highlights = norm(await p.locator('#report-highlights').innerText());
      assert.ok(highlights.includes('Release signing became the month'), highlights);
      const mau = norm(await p.locator('#kpi-mau [data-figure]').innerText());
      assert.equal(mau, String(api.analytics.figures.mau));
      await h.scan(p, 'report');

      // Printing: the sidebar, the top bar and the forms are not printed; the figures are.
      await p.emulateMedia({ media: 'print' });
      assert.equal(await p.locator('nav.sidebar').isVisible(), false, 'the sidebar is printed');
      assert.equal(await p.locator('header.topbar').isVisible(), false, 'the top bar is printed');
      assert.equal(await p.locator('#highlights').isVisible(), false, 'the notes form is printed');
      assert.equal(await p.locator('#kpi-mau').isVisible(), true, 'the figures are not printed');
      await h.screenshot(p, 'report-print');
      await p.emulateMedia({ media: 'screen' });

      // Writing this month's insights through the form.
      const month = new Date().toISOString().slice(0, 7);
      await goto(p, `/c/${SLUG}/analytics/report?month=${month}`);
      await p.getByLabel(/^Insights/).fill('Members want **office hours** in their time zone.');
      await Promise.all([p.waitForEvent('load'), p.getByRole('button', { name: 'Save highlights and insights' }).click()]);
      assert.equal(norm(await p.locator('.flash').innerText()), 'Highlights and insights saved.');
      assert.equal(norm(await p.locator('#report-insights strong').innerText()), 'office hours');
    } finally {
      await ctx.close();
    }
  });
});
