// Browser test of the events month view on the demo community: the manager opens the Open
// Source Guild's events as a month calendar, finds an upcoming demo event on its day (read
// on the community's clock, as the API gives it), goes to the next month and back, and
// filters by format: the event stays under its own format and leaves under another, and
// every event shown is of the chosen format. axe-core scans the month view in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test event_calendar.test.mjs
//
// Starts its own server with `serve --demo` (see server.mjs). Screenshots and the server
// log go to e2e/test-results/event_calendar/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { clickAndLoad, goto, harness, norm } from './helpers.mjs';

const TEST_TIMEOUT_MS = 240_000;
const DEMO_SEED_MS = 300_000;
const SLUG = 'open-source-guild';
const MANAGER = 'maya@demo.townsquare.test';
const DEMO_PASSWORD = 'townsquare-demo';

const h = harness('event_calendar', { extraArgs: ['--demo'], healthTimeoutMs: DEMO_SEED_MS });

/** The calendar date (YYYY-MM-DD) of an instant on a time zone's clock. */
function localDate(iso, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

describe('the events month view in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server seeds the demo and Chromium launches', { timeout: DEMO_SEED_MS + 60_000 }, async () => {
    await h.start();
  });

  it('an upcoming event on its day → next month and back → filtered by format', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const { token } = await h.api('POST', '/api/v1/auth/token', null, { email: MANAGER, password: DEMO_PASSWORD });
    const upcoming = await h.api('GET', `/api/v1/communities/${SLUG}/events`, token);
    const event = upcoming.events.find((e) => !e.cancelled_at && Date.parse(e.starts_at) > Date.now());
    assert.ok(event, `the demo has no upcoming event: ${JSON.stringify(upcoming).slice(0, 500)}`);
    const day = localDate(event.starts_at, upcoming.time_zone);
    const month = day.slice(0, 7);
    const eventLink = (p) => p.locator(`.month-calendar a[href="/c/${SLUG}/events/${event.id}"]`);
    // The event's own day in the month shown (days of the months around it show too).
    const onItsDay = (p) => p.locator(`.month-calendar td:not(.other-month)[data-date="${day}"] a[href="/c/${SLUG}/events/${event.id}"]`);

    const ctx = await h.newContext();
    const p = await ctx.newPage();
    try {
      await h.logIn(p, MANAGER, DEMO_PASSWORD);
      await goto(p, `/c/${SLUG}/events`);
      await clickAndLoad(p, p.getByRole('link', { name: 'Month', exact: true }));
      assert.equal(new URL(p.url()).searchParams.get('view'), 'month');
      // This month first; the event may be in a later one: follow "next" to it.
      for (let i = 0; i < 12 && !(await onItsDay(p).count()); i++) {
        await clickAndLoad(p, p.locator('.month-nav a[rel=next]'));
      }
      const heading = norm(await p.locator('#month-heading').innerText());
      await eventLink(p).first().waitFor();
      const cell = p.locator(`.month-calendar td:not(.other-month)[data-date="${day}"]`);
      assert.equal(await cell.locator(`a[href="/c/${SLUG}/events/${event.id}"]`).count(), 1,
        `${event.title} is not on ${day} in ${heading}`);
      assert.match(norm(await cell.innerText()), new RegExp(event.title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      await h.screenshot(p, 'month-with-event');
      await h.scan(p, 'events month view');

      // Next month and back: the heading changes, then the event is on its day again.
      await clickAndLoad(p, p.locator('.month-nav a[rel=next]'));
      const next = norm(await p.locator('#month-heading').innerText());
      assert.notEqual(next, heading);
      assert.equal(await p.locator(`.month-calendar td:not(.other-month)[data-date="${day}"]`).count(), 0);
      await clickAndLoad(p, p.locator('.month-nav a[rel=prev]'));
      assert.equal(norm(await p.locator('#month-heading').innerText()), heading);
      assert.equal(await cell.locator(`a[href="/c/${SLUG}/events/${event.id}"]`).count(), 1);

      // Filtered by its format it stays; by another format it goes, and only that format shows.
      await p.locator('#format-filter').selectOption(event.format);
      await clickAndLoad(p, p.getByRole('button', { name: 'Show' }));
      const url = new URL(p.url());
      assert.equal(url.searchParams.get('format'), event.format);
      assert.equal(url.searchParams.get('view'), 'month');
      assert.equal(norm(await p.locator('#month-heading').innerText()), heading, 'the filter keeps the month');
      assert.equal(await eventLink(p).count(), 1);
      const other = event.format === 'webinar' ? 'meetup' : 'webinar';
      await p.locator('#format-filter').selectOption(other);
      await clickAndLoad(p, p.getByRole('button', { name: 'Show' }));
      assert.equal(new URL(p.url()).searchParams.get('format'), other);
      assert.equal(await eventLink(p).count(), 0, `${event.title} (${event.format}) shows under ${other}`);
      const shown = await h.api('GET', `/api/v1/communities/${SLUG}/events?month=${month}&format=${other}`, token);
      assert.equal(await p.locator('.month-calendar td:not(.other-month) li a').count(),
        shown.events.filter((e) => localDate(e.starts_at, upcoming.time_zone).startsWith(month)).length,
        'the month shows exactly the API\'s events of that format');
      await h.screenshot(p, 'month-filtered');
    } catch (err) {
      await h.screenshot(p, 'FAILED-month-view').catch(() => {});
      throw err;
    } finally {
      await ctx.close();
    }
  });
});
