// Browser test for an event's live Q&A and polls: a registrant asks a question from the event
// page; the host opens a poll and the registrant's open page shows it without reloading (the
// WebSocket, under our real Content-Security-Policy); the registrant votes and sees the
// results; the host marks the question answered and attaches the recording on the
// after-event page. axe-core scans every page in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test event_live.test.mjs
//
// Screenshots and the server log go to e2e/test-results/event_live/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_TIMEOUT_MS, describeExit } from './server.mjs';
import { PASSWORD, RUN, clickAndLoad, goto, harness, norm, pathOf } from './helpers.mjs';

const TEST_TIMEOUT_MS = 180_000;
const h = harness('event_live');

/** A UTC wall-clock time for the API, `days` from now. */
function inDays(days, hours = 0) {
  const t = new Date(Date.now() + days * 86_400_000 + hours * 3_600_000);
  return t.toISOString().slice(0, 16);
}

describe('event Q&A and polls in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    await h.start();
  });

  it('ask → live poll → vote → answered → recording', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const slug = `live-${RUN}`;
    const host = { email: `live-host-${RUN}@example.com`, name: `Hana Host ${RUN}` };
    const ann = { email: `live-ann-${RUN}@example.com`, name: `Ann Asker ${RUN}` };
    const tokens = {};
    for (const who of [host, ann]) {
      tokens[who.email] = (await h.api('POST', '/api/v1/auth/signup', null, { email: who.email, display_name: who.name, password: PASSWORD })).token;
    }
    await h.api('POST', `/api/v1/communities`, tokens[host.email], { name: `Askers ${RUN}`, slug, visibility: 'public', join_policy: 'open' });
    await h.api('POST', `/api/v1/communities/${slug}/spaces`, tokens[host.email], { name: 'Events', slug: 'events', kind: 'events', visibility: 'everyone' });
    await h.api('POST', `/api/v1/communities/${slug}/join`, tokens[ann.email], null);
    const event = await h.api('POST', `/api/v1/communities/${slug}/spaces/events/events`, tokens[host.email], {
      title: `Ask the maintainers ${RUN}`, format: 'ama', starts_at: inDays(2), ends_at: inDays(2, 1), time_zone: 'UTC', online_url: 'https://meet.example.org/ama',
    });
    await h.api('POST', `/api/v1/events/${event.id}/registration`, tokens[ann.email], null);
    const eventPath = `/c/${slug}/events/${event.id}`;
    const question = 'How do you review pull requests from first-time contributors?';

    // Ann asks from the event page's link, with the page's real CSP (the stream must connect).
    // axe-core is injected as an inline script, which that CSP forbids, so her pages are
    // scanned in a second window that bypasses it.
    const actx = await h.newContext({ bypassCSP: false });
    const ap = await actx.newPage();
    const sctx = await h.newContext();
    const sp = await sctx.newPage();
    await h.logIn(sp, ann.email);
    const scanAsAnn = async (label) => {
      await goto(sp, pathOf(ap));
      await h.scan(sp, label);
    };
    try {
      await h.logIn(ap, ann.email);
      await goto(ap, eventPath);
      await clickAndLoad(ap, ap.getByRole('link', { name: 'Q&A and polls' }));
      assert.equal(pathOf(ap), `${eventPath}/live`);
      await ap.getByLabel('Ask the host anything').fill(question);
      await clickAndLoad(ap, ap.getByRole('button', { name: 'Ask' }));
      assert.match(norm(await ap.locator('.flash').innerText()), /Question sent/);
      assert.match(norm(await ap.locator('#questions').innerText()), new RegExp(question));
      await scanAsAnn('live page with a question');

      // The host opens a poll; Ann's open page shows it without a reload.
      const before = await ap.evaluate(() => performance.getEntriesByType('navigation').length);
      await h.api('POST', `/api/v1/events/${event.id}/polls`, tokens[host.email], {
        question: 'Which topic next time?', options: ['Releases', 'Security'], choice: 'single', results: 'after_vote', open: true,
      });
      await ap.getByRole('heading', { name: /Which topic next time\?/ }).waitFor({ timeout: 15_000 });
      assert.equal(await ap.evaluate(() => performance.getEntriesByType('navigation').length), before);

      await ap.getByLabel('Security').check();
      await clickAndLoad(ap, ap.getByRole('button', { name: 'Vote', exact: true }));
      assert.match(norm(await ap.locator('.flash').innerText()), /Vote counted/);
      assert.match(norm(await ap.locator('.poll').innerText()), /Security Your vote .*1 \(100%\)/);
      await scanAsAnn('live page after voting');
    } catch (err) {
      await h.screenshot(ap, 'FAILED-registrant').catch(() => {});
      if (h.server?.exited) err.message += `\n  the server exited (${describeExit(h.server.exited)})`;
      throw err;
    }

    // The host answers the question and attaches the recording.
    const hctx = await h.newContext();
    const hp = await hctx.newPage();
    try {
      await h.logIn(hp, host.email);
      await goto(hp, `${eventPath}/live`);
      const item = hp.locator('li.question', { hasText: question });
      await item.locator('summary').click();
      await item.getByLabel(/Answer/).fill('We pair them with a **mentor** for their first review.');
      await clickAndLoad(hp, item.getByRole('button', { name: 'Mark answered' }));
      assert.match(norm(await hp.locator('li.question').first().innerText()), /Answered/);
      await h.scan(hp, 'host live page');
      await goto(hp, eventPath);
      await clickAndLoad(hp, hp.getByRole('link', { name: 'After the event' }));
      await hp.getByLabel(/Link to the recording/).fill('https://video.example.org/ama');
      await clickAndLoad(hp, hp.getByRole('button', { name: 'Attach recording' }));
      assert.match(norm(await hp.locator('.flash').innerText()), /Recording attached/);
      await h.scan(hp, 'after the event');
    } catch (err) {
      await h.screenshot(hp, 'FAILED-host').catch(() => {});
      throw err;
    } finally {
      await hctx.close();
    }

    // Ann sees the answer and the recording link.
    try {
      await goto(ap, `${eventPath}/live`);
      assert.match(norm(await ap.locator('li.question').first().innerText()), /mentor/);
      await goto(ap, eventPath);
      await ap.getByRole('link', { name: 'Watch the recording' }).waitFor();
      await scanAsAnn('event page with recording');
    } finally {
      await actx.close();
      await sctx.close();
    }
    const board = await h.api('GET', `/api/v1/events/${event.id}/questions`, tokens[ann.email], null);
    assert.ok(board.questions[0].answered_at);
  });
});
