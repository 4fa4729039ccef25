// Browser test for onboarding: a visitor opens an invite link, signs up, joins (accepting the
// guidelines) and finds the first-steps checklist on the community home; completing the
// profile ticks the next step. The admin reads the funnel and changes the welcome message.
// axe-core scans every page in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/onboarding/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_TIMEOUT_MS } from './server.mjs';
import { PASSWORD, RUN, clickAndLoad, goto, harness, norm, pathOf } from './helpers.mjs';

const TEST_TIMEOUT_MS = 180_000;
const h = harness('onboarding');

describe('onboarding in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    await h.start();
  });

  it('invite link → sign up → join → checklist → complete profile → checklist progresses', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const slug = `hikers-${RUN}`;
    const name = `Hill Walkers ${RUN}`;
    const adminEmail = `hana-${RUN}@example.com`;
    const { token } = await h.api('POST', '/api/v1/auth/signup', null, {
      email: adminEmail, display_name: `Hana Host ${RUN}`, password: PASSWORD,
    });
    await h.api('POST', '/api/v1/communities', token, {
      name, slug, description: 'Weekend walks.', guidelines: 'Leave no trace.', visibility: 'private', join_policy: 'invite',
    });
    for (const [n, s] of [['Introductions', 'intros'], ['Routes', 'routes']]) {
      await h.api('POST', `/api/v1/communities/${slug}/spaces`, token, { name: n, slug: s, kind: 'discussion', visibility: 'everyone' });
    }
    await h.api('PUT', `/api/v1/communities/${slug}/introductions`, token, { space: 'intros' });
    const link = await h.api('POST', `/api/v1/communities/${slug}/invitations`, token, { source: 'flyer', campaign: 'autumn' });

    const vctx = await h.newContext();
    const v = await vctx.newPage();
    try {
      const invitePath = new URL(link.url).pathname;
      await goto(v, invitePath);
      await clickAndLoad(v, v.getByRole('link', { name: 'Sign up to join' }));
      const signup = v.locator('form').filter({ has: v.locator('[name=display_name]') });
      await signup.locator('[name=email]').fill(`wes-${RUN}@example.com`);
      await signup.locator('[name=display_name]').fill(`Wes Walker ${RUN}`);
      await signup.locator('[name=password]').fill(PASSWORD);
      await clickAndLoad(v, signup.locator('button[type=submit]'));
      assert.equal(pathOf(v), invitePath, 'sign-up did not come back to the invitation');
      await v.getByLabel('I have read and accept the guidelines').check();
      await clickAndLoad(v, v.getByRole('button', { name: `Join ${name}` }));
      assert.equal(pathOf(v), `/c/${slug}`);

      // The checklist: the guidelines were accepted on joining; the rest is open.
      const card = v.locator('section.onboarding');
      assert.equal(norm(await card.locator('h2').innerText()), 'Your first steps: 1 of 5 done');
      assert.equal(await card.locator('progress').getAttribute('value'), '1');
      await h.scan(v, 'community home with checklist');

      // Completing the profile ticks the next step.
      await clickAndLoad(v, card.getByRole('link', { name: 'Complete your profile' }));
      assert.equal(pathOf(v), '/settings/profile');
      const profile = v.locator('form[action="/settings/profile"]');
      await profile.getByLabel(/Headline/).fill('Weekend walker, map collector');
      await profile.getByLabel(/Interests/).fill('hills, maps');
      await clickAndLoad(v, profile.getByRole('button', { name: 'Save profile' }));
      await goto(v, `/c/${slug}`);
      assert.equal(norm(await v.locator('section.onboarding h2').innerText()), 'Your first steps: 2 of 5 done');
      const doneItems = (await v.locator('section.onboarding li.done').allInnerTexts()).map(norm);
      assert.deepEqual(doneItems, ['✓ Accept the community guidelines done', '✓ Complete your profile done']);

      // Introducing yourself, from the checklist's link.
      await clickAndLoad(v, v.locator('section.onboarding').getByRole('link', { name: 'Introduce yourself' }));
      assert.equal(pathOf(v), `/c/${slug}/s/intros/new-topic`);
      await v.locator('[name=title]').fill(`Hello from Wes ${RUN}`);
      await v.locator('[name=body]').fill('I walk most weekends, usually in the hills north of town.');
      await clickAndLoad(v, v.locator('form').filter({ has: v.locator('[name=title]') }).locator('button[type=submit]'));
      await goto(v, `/c/${slug}/onboarding`);
      assert.equal(norm(await v.locator('section.onboarding h2').innerText()), 'Your first steps: 3 of 5 done');
      await h.scan(v, 'my first steps');
    } catch (err) {
      await h.screenshot(v, 'FAILED-visitor').catch(() => {});
      throw err;
    } finally {
      await vctx.close();
    }

    // The admin sees the newcomer in the funnel, and the checklist's settings.
    const actx = await h.newContext();
    const a = await actx.newPage();
    try {
      await h.logIn(a, adminEmail);
      await goto(a, `/c/${slug}/settings/onboarding`);
      const caption = norm(await a.locator('table caption').innerText());
      assert.ok(caption.startsWith('Of the 1 member who joined'), caption);
      const rows = (await a.locator('table tbody tr').allInnerTexts()).map(norm);
      assert.deepEqual(rows, [
        'Accept the community guidelines 1 100%',
        'Complete your profile 1 100%',
        'Introduce yourself 1 100%',
        'Join a space 0 0%',
        'Reply to a topic 0 0%',
        'Every step 0 0%',
      ]);
      await h.scan(a, 'onboarding settings');
      const api = await h.api('GET', `/api/v1/communities/${slug}/onboarding/funnel`, token);
      assert.equal(api.joined, 1);
    } catch (err) {
      await h.screenshot(a, 'FAILED-admin').catch(() => {});
      throw err;
    } finally {
      await actx.close();
    }
  });
});
