// Browser tests for invitations: an admin makes an invite link and sends e-mail invitations
// from the community's Invitations page (an invalid address refused, then a report of who was
// invited); a visitor opens the link to a private, invite-only community, signs up, comes back
// to the invitation and joins. axe-core scans every new page in light and dark colour scheme.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/invitations/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_TIMEOUT_MS } from './server.mjs';
import { PASSWORD, RUN, clickAndLoad, goto, norm, pathOf, harness } from './helpers.mjs';

const TEST_TIMEOUT_MS = 180_000;
const h = harness('invitations');

describe('invitations in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    await h.start();
  });

  it('an admin invites; a visitor signs up through the link and joins an invite-only community', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const slug = `owls-${RUN}`;
    const name = `Night Owls ${RUN}`;
    const adminEmail = `olga-${RUN}@example.com`;
    const { token } = await h.api('POST', '/api/v1/auth/signup', null, {
      email: adminEmail, display_name: `Olga Owner ${RUN}`, password: PASSWORD,
    });
    await h.api('POST', '/api/v1/communities', token, {
      name, slug, description: 'Astronomers who stay up late.', visibility: 'private', join_policy: 'invite',
    });

    const ctx = await h.newContext();
    const p = await ctx.newPage();
    let link;
    try {
      // The admin's Invitations page, reached from the sidebar.
      await h.logIn(p, adminEmail);
      await goto(p, `/c/${slug}`);
      await clickAndLoad(p, p.getByRole('link', { name: 'Invitations' }));
      assert.equal(pathOf(p), `/c/${slug}/invitations`);
      await h.scan(p, 'invitations (empty)');

      // A link for the spring campaign, limited to 10 people and 7 days.
      const lf = p.locator('form').filter({ has: p.locator('[name=max_uses]') });
      await lf.getByLabel(/Source/).fill('newsletter');
      await lf.getByLabel(/Campaign/).fill('spring');
      await lf.getByLabel(/Expires after/).fill('7');
      await lf.getByLabel(/Use limit/).fill('10');
      await clickAndLoad(p, lf.getByRole('button', { name: 'Create link' }));
      assert.ok(norm(await p.locator('.flash').first().innerText()).includes('Invite link created'));
      link = await p.locator('input.copy').first().inputValue();
      assert.match(link, /\/invite\/[A-Za-z0-9_-]+$/);
      const row = norm(await p.locator('table').first().locator('tbody tr').first().innerText());
      assert.ok(row.includes('newsletter · spring') && row.includes('0 of 10'), `link row: ${row}`);

      // Bulk e-mail: an invalid address refuses the list and says which.
      const ef = p.locator('form').filter({ has: p.locator('textarea[name=emails]') });
      await ef.locator('textarea[name=emails]').fill(`ana-${RUN}@example.com\nnot-an-address`);
      await clickAndLoad(p, ef.getByRole('button', { name: 'Send invitations' }));
      assert.ok(norm(await p.locator('#emails-error').innerText()).includes('not-an-address'));
      await h.scan(p, 'invitations (invalid address)');
      const ef2 = p.locator('form').filter({ has: p.locator('textarea[name=emails]') });
      await ef2.locator('textarea[name=emails]').fill(`ana-${RUN}@example.com, ${adminEmail}`);
      await clickAndLoad(p, ef2.getByRole('button', { name: 'Send invitations' }));
      const report = norm(await p.locator('.flash').first().innerText());
      assert.ok(report.includes(`Invited 1: ana-${RUN}@example.com`), report);
      assert.ok(report.includes(`Already members, not invited: ${adminEmail}`), report);
      await h.scan(p, 'invitations (report)');
    } catch (err) {
      await h.screenshot(p, 'FAILED-admin').catch(() => {});
      throw err;
    } finally {
      await ctx.close();
    }

    // A visitor opens the link, signs up, comes back and joins.
    const vctx = await h.newContext();
    const v = await vctx.newPage();
    try {
      const invitePath = new URL(link).pathname;
      await goto(v, invitePath);
      assert.equal(norm(await v.locator('h1').innerText()), name);
      await h.scan(v, 'invitation (signed out)');
      await clickAndLoad(v, v.getByRole('link', { name: 'Sign up to join' }));
      assert.equal(pathOf(v), '/signup');
      const signup = v.locator('form').filter({ has: v.locator('[name=display_name]') });
      await signup.locator('[name=email]').fill(`vera-${RUN}@example.com`);
      await signup.locator('[name=display_name]').fill(`Vera Visitor ${RUN}`);
      await signup.locator('[name=password]').fill(PASSWORD);
      await clickAndLoad(v, signup.locator('button[type=submit]'));
      assert.equal(pathOf(v), invitePath, 'sign-up did not come back to the invitation');
      await h.scan(v, 'invitation (signed in)');
      await clickAndLoad(v, v.getByRole('button', { name: `Join ${name}` }));
      assert.equal(pathOf(v), `/c/${slug}`);
      assert.ok(norm(await v.locator('.flash').first().innerText()).includes(`Welcome to ${name}!`));
      await h.screenshot(v, 'joined');
    } catch (err) {
      await h.screenshot(v, 'FAILED-visitor').catch(() => {});
      throw err;
    } finally {
      await vctx.close();
    }
  });
});
