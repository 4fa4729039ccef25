// Browser test for moderation: a member flags a post from its topic page; a moderator sees the
// needs-attention card, works the queue (hides the post with a reason), and reads the audit
// log; the reporter hears their flag was handled. axe-core scans every page in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/moderation/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_TIMEOUT_MS, describeExit } from './server.mjs';
import { PASSWORD, RUN, clickAndLoad, goto, norm, pathOf, harness } from './helpers.mjs';

const TEST_TIMEOUT_MS = 180_000;
const h = harness('moderation');

describe('moderation in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    await h.start();
  });

  it('a flag goes through the queue to an action, the audit log and the reporter', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const slug = `mod-${RUN}`;
    const owner = { email: `mod-owner-${RUN}@example.com`, name: `Mona Owner ${RUN}` };
    const author = { email: `mod-author-${RUN}@example.com`, name: `Art Author ${RUN}` };
    const reporter = { email: `mod-reporter-${RUN}@example.com`, name: `Rae Reporter ${RUN}` };
    const tokens = {};
    for (const who of [owner, author, reporter]) {
      tokens[who.email] = (await h.api('POST', '/api/v1/auth/signup', null, { email: who.email, display_name: who.name, password: PASSWORD })).token;
    }
    await h.api('POST', '/api/v1/communities', tokens[owner.email], { name: `Moderated ${RUN}`, slug, visibility: 'public', join_policy: 'open' });
    await h.api('POST', `/api/v1/communities/${slug}/spaces`, tokens[owner.email], { name: 'General', slug: 'general', kind: 'discussion', visibility: 'everyone' });
    for (const who of [author, reporter]) await h.api('POST', `/api/v1/communities/${slug}/join`, tokens[who.email], null);
    const topic = await h.api('POST', `/api/v1/communities/${slug}/spaces/general/topics`, tokens[owner.email], { title: 'Favourite editors?', body: 'Tell us.' });
    const spam = await h.api('POST', `/api/v1/topics/${topic.id}/posts`, tokens[author.email], { body: 'Buy followers at spam.example, cheap!' });

    // The reporter flags the reply from the topic page.
    const rctx = await h.newContext();
    const r = await rctx.newPage();
    try {
      await h.logIn(r, reporter.email);
      await goto(r, `/c/${slug}/t/${topic.id}`);
      const post = r.locator(`#post-${spam.id}`);
      await post.locator('summary', { hasText: 'Flag' }).click();
      await post.getByLabel('What is wrong?').selectOption('spam');
      await post.getByLabel(/Note for the moderators/).fill('Selling followers');
      await clickAndLoad(r, post.getByRole('button', { name: 'Send flag' }));
      assert.match(norm(await r.locator('.flash').innerText()), /your flag is with the moderators/);
    } catch (err) {
      await h.screenshot(r, 'FAILED-reporter').catch(() => {});
      throw err;
    } finally {
      await rctx.close();
    }

    // The owner sees the card, works the queue, and reads the audit log.
    const octx = await h.newContext();
    const p = await octx.newPage();
    try {
      await h.logIn(p, owner.email);
      await goto(p, `/c/${slug}`);
      assert.match(norm(await p.locator('.attention').innerText()), /1 open flag/);
      await clickAndLoad(p, p.locator('.attention').getByRole('link', { name: 'Moderation queue' }));
      assert.equal(pathOf(p), `/c/${slug}/moderation`);
      const item = p.locator(`#flagged-${spam.id}`);
      assert.match(norm(await item.innerText()), /Spam: “Selling followers”/);
      await h.scan(p, 'moderation queue');
      await item.getByLabel('Action').selectOption('hide');
      await item.getByLabel(/^Reason \(the author/).fill('Rule 3: no advertising');
      await clickAndLoad(p, item.getByRole('button', { name: 'Apply' }));
      assert.match(norm(await p.locator('.flash').innerText()), /Hidden/);
      assert.match(norm(await p.locator('main').innerText()), /Nothing waiting/);

      await goto(p, `/c/${slug}/moderation/log`);
      const row = p.locator('tbody tr').first();
      assert.match(norm(await row.innerText()), /hide .*Art Author .*Rule 3: no advertising/);
      await h.scan(p, 'audit log');
    } catch (err) {
      await h.screenshot(p, 'FAILED-moderator').catch(() => {});
      if (h.server?.exited) err.message += `\n  the server exited (${describeExit(h.server.exited)})`;
      throw err;
    } finally {
      await octx.close();
    }

    const inbox = await h.api('GET', '/api/v1/notifications', tokens[reporter.email], null);
    assert.ok(inbox.items.some((n) => n.kind === 'flag_handled'), `no flag_handled notice: ${JSON.stringify(inbox.items)}`);
    const authorInbox = await h.api('GET', '/api/v1/notifications', tokens[author.email], null);
    assert.ok(authorInbox.items.some((n) => n.kind === 'moderation' && n.excerpt.includes('Rule 3')), 'the author was not told why');
  });
  it('a muted member sees why and until when, appeals, and posts again once it is overturned', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const slug = `appeal-${RUN}`;
    const owner = { email: `appeal-owner-${RUN}@example.com`, name: `Ola Owner ${RUN}` };
    const muted = { email: `appeal-member-${RUN}@example.com`, name: `Max Muted ${RUN}` };
    const tokens = {};
    for (const who of [owner, muted]) {
      tokens[who.email] = (await h.api('POST', '/api/v1/auth/signup', null, { email: who.email, display_name: who.name, password: PASSWORD })).token;
    }
    await h.api('POST', '/api/v1/communities', tokens[owner.email], { name: `Appeals ${RUN}`, slug, visibility: 'public', join_policy: 'open' });
    await h.api('POST', `/api/v1/communities/${slug}/spaces`, tokens[owner.email], { name: 'General', slug: 'general', kind: 'discussion', visibility: 'everyone' });
    await h.api('POST', `/api/v1/communities/${slug}/join`, tokens[muted.email], null);
    const topic = await h.api('POST', `/api/v1/communities/${slug}/spaces/general/topics`, tokens[owner.email], { title: 'Weekend plans?', body: 'Share yours.' });
    const me = await h.api('GET', '/api/v1/me', tokens[muted.email], null);

    // The moderator (here the owner) mutes the member for three days, with a reason.
    await h.api('POST', `/api/v1/communities/${slug}/members/${me.id}/sanctions`, tokens[owner.email], { kind: 'mute', days: 3, reason: 'Rule 2: a cooling-off period' });
    await h.api('POST', `/api/v1/topics/${topic.id}/posts`, tokens[muted.email], { body: 'Hiking!' }, [403]);

    // The member sees why and until when, and appeals.
    const mctx = await h.newContext();
    const m = await mctx.newPage();
    try {
      await h.logIn(m, muted.email);
      await goto(m, `/c/${slug}`);
      const notice = norm(await m.locator('.flash.warn').innerText());
      assert.match(notice, /You are muted in Appeals .* until \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(UTC\): Rule 2: a cooling-off period/);
      await clickAndLoad(m, m.getByRole('link', { name: 'Details and appeal' }));
      assert.equal(pathOf(m), `/c/${slug}/my-moderation`);
      await h.scan(m, 'moderation about you');
      await m.getByLabel('Why should the moderators reconsider?').fill('I was quoting someone else, not being rude.');
      await clickAndLoad(m, m.getByRole('button', { name: 'Appeal' }));
      assert.match(norm(await m.locator('.flash:not(.warn)').innerText()), /Appeal sent/);
      assert.match(norm(await m.locator('main').innerText()), /Appeal: waiting for a moderator/);
    } catch (err) {
      await h.screenshot(m, 'FAILED-appellant').catch(() => {});
      throw err;
    } finally {
      await mctx.close();
    }

    // The moderator overturns it in the appeals queue, with a reason.
    const octx = await h.newContext();
    const p = await octx.newPage();
    try {
      await h.logIn(p, owner.email);
      await goto(p, `/c/${slug}/moderation`);
      const appeal = p.locator('[id^=appeal-]').first();
      assert.match(norm(await appeal.innerText()), /Max Muted .* appeals a mute .*I was quoting someone else/);
      await h.scan(p, 'appeals queue');
      await appeal.getByLabel('Decision').selectOption('overturned');
      await appeal.getByLabel(/^Reason \(the member sees it\)/).fill('You are right: it was a quotation');
      await clickAndLoad(p, appeal.getByRole('button', { name: 'Decide' }));
      assert.match(norm(await p.locator('.flash:not(.warn)').innerText()), /Appeal overturned/);
    } catch (err) {
      await h.screenshot(p, 'FAILED-moderator-appeal').catch(() => {});
      if (h.server?.exited) err.message += `\n  the server exited (${describeExit(h.server.exited)})`;
      throw err;
    } finally {
      await octx.close();
    }

    // The member sees the outcome and can post again.
    const m2ctx = await h.newContext();
    const m2 = await m2ctx.newPage();
    try {
      await h.logIn(m2, muted.email);
      await goto(m2, `/c/${slug}/my-moderation`);
      assert.match(norm(await m2.locator('main').innerText()), /Appeal: overturned — You are right: it was a quotation/);
      await goto(m2, `/c/${slug}`);
      assert.equal(await m2.locator('.flash.warn').count(), 0, 'the mute notice is gone');
      await goto(m2, `/c/${slug}/t/${topic.id}`);
      await m2.locator('textarea[name=body]').last().fill('Hiking, and glad to be back.');
      await clickAndLoad(m2, m2.getByRole('button', { name: /^(Reply|Post reply)$/ }).last());
      assert.match(norm(await m2.locator('main').innerText()), /Hiking, and glad to be back\./);
    } catch (err) {
      await h.screenshot(m2, 'FAILED-appellant-after').catch(() => {});
      throw err;
    } finally {
      await m2ctx.close();
    }
    const inbox = await h.api('GET', '/api/v1/notifications', tokens[muted.email], null);
    assert.ok(inbox.items.some((n) => n.excerpt.includes('Your appeal was overturned')), `no outcome notice: ${JSON.stringify(inbox.items)}`);
  });
});
