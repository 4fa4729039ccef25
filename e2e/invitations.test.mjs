// Browser tests for invitations: an admin makes an invite link and sends e-mail invitations
// from the community's Invitations page (an invalid address refused, then a report of who was
// invited); a visitor opens the link to a private, invite-only community, signs up, comes back
// to the invitation and joins. axe-core scans every new page in light and dark colour scheme.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/invitations/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, E2E_DIR, HEALTH_TIMEOUT_MS, describeExit, startServer, stopServer } from './server.mjs';

const RESULTS_DIR = path.join(E2E_DIR, 'test-results', 'invitations');
const ACTION_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 180_000;

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const PASSWORD = 'correct horse battery staple';

let server;
let browser;
let shot = 0;

// ---------------------------------------------------------------------------------------------
// Helpers

async function newContext({ bypassCSP = true } = {}) {
  const ctx = await browser.newContext({
    baseURL: server.baseUrl,
    bypassCSP,
    colorScheme: 'light',
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
  });
  ctx.setDefaultTimeout(ACTION_TIMEOUT_MS);
  ctx.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  return ctx;
}

const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const pathOf = (p) => new URL(p.url()).pathname;

async function goto(p, urlPath) {
  const res = await p.goto(urlPath, { waitUntil: 'load' });
  assert.ok(res, `no response for GET ${urlPath}`);
  assert.equal(res.status(), 200, `GET ${urlPath} answered ${res.status()}: ${norm(await p.locator('body').innerText()).slice(0, 300)}`);
}

async function screenshot(p, name) {
  shot += 1;
  const file = `${String(shot).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`;
  await p.screenshot({ path: path.join(RESULTS_DIR, file), fullPage: true });
}

/** Clicks `button` and waits for the page it leads to. */
async function clickAndLoad(p, button) {
  const loaded = p.waitForEvent('load', { timeout: ACTION_TIMEOUT_MS });
  await button.click();
  await loaded;
}

/** axe-core on the current page in light and dark; fails on serious or critical findings. */
async function scan(p, label) {
  const problems = [];
  for (const scheme of ['light', 'dark']) {
    await p.emulateMedia({ colorScheme: scheme });
    await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(p, `${label}-${scheme}`);
    if (!(await p.evaluate(() => typeof window.axe === 'object'))) {
      await p.addScriptTag({ content: AXE_SOURCE });
    }
    const result = await p.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    for (const v of result.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact))) {
      const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
      problems.push(`[${v.impact}] ${v.id} (${scheme}): ${v.help}; ${v.nodes.length} element(s), first: ${targets}`);
    }
  }
  await p.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(problems, [], `accessibility violations on ${label} (${pathOf(p)}):\n${problems.join('\n')}`);
}

/** A JSON API call; returns the parsed body, failing on an unexpected status. */
async function api(method, urlPath, token, body, expected = [200, 201, 204]) {
  const res = await fetch(`${server.baseUrl}${urlPath}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(expected.includes(res.status), `${method} ${urlPath} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function logIn(p, email) {
  await goto(p, '/login');
  const form = p.locator('form').filter({ has: p.locator('[name=password]') });
  await form.locator('[name=email]').fill(email);
  await form.locator('[name=password]').fill(PASSWORD);
  await clickAndLoad(p, form.locator('button[type=submit]'));
  assert.notEqual(pathOf(p), '/login', 'logging in failed');
}

function requireStarted() {
  if (!browser) assert.fail('not run: the server or the browser did not start (see the first test)');
}

// ---------------------------------------------------------------------------------------------

describe('invitations in a browser', { timeout: 30 * 60_000 }, () => {
  before(() => {
    fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer(server);
  });

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    server = await startServer(path.join(RESULTS_DIR, 'server.log'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });

  it('an admin invites; a visitor signs up through the link and joins an invite-only community', { timeout: TEST_TIMEOUT_MS }, async () => {
    requireStarted();
    const slug = `owls-${RUN}`;
    const name = `Night Owls ${RUN}`;
    const adminEmail = `olga-${RUN}@example.com`;
    const { token } = await api('POST', '/api/v1/auth/signup', null, {
      email: adminEmail, display_name: `Olga Owner ${RUN}`, password: PASSWORD,
    });
    await api('POST', '/api/v1/communities', token, {
      name, slug, description: 'Astronomers who stay up late.', visibility: 'private', join_policy: 'invite',
    });

    const ctx = await newContext();
    const p = await ctx.newPage();
    let link;
    try {
      // The admin's Invitations page, reached from the sidebar.
      await logIn(p, adminEmail);
      await goto(p, `/c/${slug}`);
      await clickAndLoad(p, p.getByRole('link', { name: 'Invitations' }));
      assert.equal(pathOf(p), `/c/${slug}/invitations`);
      await scan(p, 'invitations (empty)');

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
      await scan(p, 'invitations (invalid address)');
      const ef2 = p.locator('form').filter({ has: p.locator('textarea[name=emails]') });
      await ef2.locator('textarea[name=emails]').fill(`ana-${RUN}@example.com, ${adminEmail}`);
      await clickAndLoad(p, ef2.getByRole('button', { name: 'Send invitations' }));
      const report = norm(await p.locator('.flash').first().innerText());
      assert.ok(report.includes(`Invited 1: ana-${RUN}@example.com`), report);
      assert.ok(report.includes(`Already members, not invited: ${adminEmail}`), report);
      await scan(p, 'invitations (report)');
    } catch (err) {
      await screenshot(p, 'FAILED-admin').catch(() => {});
      throw err;
    } finally {
      await ctx.close();
    }

    // A visitor opens the link, signs up, comes back and joins.
    const vctx = await newContext();
    const v = await vctx.newPage();
    try {
      const invitePath = new URL(link).pathname;
      await goto(v, invitePath);
      assert.equal(norm(await v.locator('h1').innerText()), name);
      await scan(v, 'invitation (signed out)');
      await clickAndLoad(v, v.getByRole('link', { name: 'Sign up to join' }));
      assert.equal(pathOf(v), '/signup');
      const signup = v.locator('form').filter({ has: v.locator('[name=display_name]') });
      await signup.locator('[name=email]').fill(`vera-${RUN}@example.com`);
      await signup.locator('[name=display_name]').fill(`Vera Visitor ${RUN}`);
      await signup.locator('[name=password]').fill(PASSWORD);
      await clickAndLoad(v, signup.locator('button[type=submit]'));
      assert.equal(pathOf(v), invitePath, 'sign-up did not come back to the invitation');
      await scan(v, 'invitation (signed in)');
      await clickAndLoad(v, v.getByRole('button', { name: `Join ${name}` }));
      assert.equal(pathOf(v), `/c/${slug}`);
      assert.ok(norm(await v.locator('.flash').first().innerText()).includes(`Welcome to ${name}!`));
      await screenshot(v, 'joined');
    } catch (err) {
      await screenshot(v, 'FAILED-visitor').catch(() => {});
      throw err;
    } finally {
      await vctx.close();
    }
  });
});
