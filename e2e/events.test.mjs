// Browser test for events: a host schedules an event in the form; a member registers, finds
// it under "My events" and in their private calendar feed, and has a check-in code; the host
// checks them in from the attendance list and the attendance shows, in the page and the API.
// axe-core scans every page in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/events/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_TIMEOUT_MS, describeExit } from './server.mjs';
import { PASSWORD, RUN, clickAndLoad, goto, harness, norm, pathOf } from './helpers.mjs';

const TEST_TIMEOUT_MS = 180_000;
const h = harness('events');

/** A UTC wall-clock time for a datetime-local input, `minutes` from now. */
function inMinutes(minutes) {
  const t = new Date(Date.now() + minutes * 60_000);
  return t.toISOString().slice(0, 16);
}

describe('events in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    await h.start();
  });

  it('schedule → register → my calendar → check-in → attendance', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const slug = `ev-${RUN}`;
    const host = { email: `ev-host-${RUN}@example.com`, name: `Hal Host ${RUN}` };
    const ann = { email: `ev-ann-${RUN}@example.com`, name: `Ann Attendee ${RUN}` };
    const tokens = {};
    for (const who of [host, ann]) {
      tokens[who.email] = (await h.api('POST', '/api/v1/auth/signup', null, { email: who.email, display_name: who.name, password: PASSWORD })).token;
    }
    await h.api('POST', '/api/v1/communities', tokens[host.email], { name: `Makers ${RUN}`, slug, visibility: 'public', join_policy: 'open' });
    await h.api('POST', `/api/v1/communities/${slug}/spaces`, tokens[host.email], { name: 'Meetups', slug: 'meetups', kind: 'events', visibility: 'everyone' });
    await h.api('POST', `/api/v1/communities/${slug}/join`, tokens[ann.email], null);
    const title = `Soldering night ${RUN}`;

    // The host schedules it, starting in half an hour (so the doors are open for check-in).
    const hctx = await h.newContext();
    const hp = await hctx.newPage();
    let eventPath;
    try {
      await h.logIn(hp, host.email);
      await goto(hp, `/c/${slug}/s/meetups/events/new`);
      await hp.locator('#title').fill(title);
      await hp.locator('#format').selectOption('workshop');
      await hp.locator('#starts_at').fill(inMinutes(30));
      await hp.locator('#ends_at').fill(inMinutes(150));
      await hp.locator('#time_zone').selectOption('UTC');
      await hp.locator('#venue').fill('Makerspace, 12 Bench Street');
      assert.equal(await hp.locator('#reminders').inputValue(), '24h, 1h');
      await h.scan(hp, 'new event form');
      await clickAndLoad(hp, hp.locator('main form button[type=submit]').last());
      assert.match(pathOf(hp), new RegExp(`^/c/${slug}/events/`));
      assert.match(norm(await hp.locator('.flash').innerText()), /Event scheduled/);
      eventPath = pathOf(hp);
    } catch (err) {
      await h.screenshot(hp, 'FAILED-host-schedules').catch(() => {});
      throw err;
    }
    const eventId = eventPath.split('/').pop();

    // Ann registers, sees her check-in code, and finds the event under "My events".
    const actx = await h.newContext();
    const ap = await actx.newPage();
    try {
      await h.logIn(ap, ann.email);
      await goto(ap, eventPath);
      await clickAndLoad(ap, ap.getByRole('button', { name: 'Register' }));
      assert.match(norm(await ap.locator('.flash').innerText()), /You are registered/);
      await ap.getByRole('img', { name: 'Check-in QR code' }).waitFor();
      await h.scan(ap, 'event page registered');
      await clickAndLoad(ap, ap.getByRole('link', { name: 'My events' }));
      assert.equal(pathOf(ap), '/calendar');
      assert.match(norm(await ap.locator('main').innerText()), new RegExp(title));
      await clickAndLoad(ap, ap.getByRole('button', { name: 'Get my private calendar address' }));
      const feedUrl = await ap.getByLabel('Private calendar address').inputValue();
      await h.scan(ap, 'my events');
      const feed = await (await fetch(feedUrl)).text();
      assert.match(feed, /BEGIN:VCALENDAR/);
      assert.match(feed, new RegExp(`SUMMARY:${title}`));
    } catch (err) {
      await h.screenshot(ap, 'FAILED-member').catch(() => {});
      throw err;
    } finally {
      await actx.close();
    }

    // The host checks Ann in from the attendance list.
    try {
      await goto(hp, eventPath);
      await clickAndLoad(hp, hp.getByRole('link', { name: /Attendance \(0 of 1 checked in\)/ }));
      assert.equal(pathOf(hp), `${eventPath}/attendance`);
      const row = hp.locator('tbody tr', { hasText: ann.name });
      await h.scan(hp, 'attendance before');
      await clickAndLoad(hp, row.getByRole('button', { name: `Check in ${ann.name}` }));
      assert.match(norm(await hp.locator('.flash').innerText()), /Checked in/);
      assert.match(norm(await hp.locator('#attendance-summary').innerText()), /1 of 1 registered checked in \(100%\)/);
      assert.doesNotMatch(norm(await hp.locator('tbody tr', { hasText: ann.name }).innerText()), /—/);
      await h.scan(hp, 'attendance after');
    } catch (err) {
      await h.screenshot(hp, 'FAILED-host-checks-in').catch(() => {});
      if (h.server?.exited) err.message += `\n  the server exited (${describeExit(h.server.exited)})`;
      throw err;
    } finally {
      await hctx.close();
    }

    const attendance = await h.api('GET', `/api/v1/events/${eventId}/attendance`, tokens[host.email], null);
    assert.equal(attendance.checked_in, 1);
    assert.equal(attendance.attendance_rate_percent, 100);
  });
});
