// Browser test for moderation: a member flags a post from its topic page; a moderator sees the
// needs-attention card, works the queue (hides the post with a reason), and reads the audit
// log; the reporter hears their flag was handled. axe-core scans every page in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/moderation/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, E2E_DIR, HEALTH_TIMEOUT_MS, describeExit, startServer, stopServer } from './server.mjs';

const RESULTS_DIR = path.join(E2E_DIR, 'test-results', 'moderation');
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

describe('moderation in a browser', { timeout: 30 * 60_000 }, () => {
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

  it('a flag goes through the queue to an action, the audit log and the reporter', { timeout: TEST_TIMEOUT_MS }, async () => {
    requireStarted();
    const slug = `mod-${RUN}`;
    const owner = { email: `mod-owner-${RUN}@example.com`, name: `Mona Owner ${RUN}` };
    const author = { email: `mod-author-${RUN}@example.com`, name: `Art Author ${RUN}` };
    const reporter = { email: `mod-reporter-${RUN}@example.com`, name: `Rae Reporter ${RUN}` };
    const tokens = {};
    for (const who of [owner, author, reporter]) {
      tokens[who.email] = (await api('POST', '/api/v1/auth/signup', null, { email: who.email, display_name: who.name, password: PASSWORD })).token;
    }
    await api('POST', '/api/v1/communities', tokens[owner.email], { name: `Moderated ${RUN}`, slug, visibility: 'public', join_policy: 'open' });
    await api('POST', `/api/v1/communities/${slug}/spaces`, tokens[owner.email], { name: 'General', slug: 'general', kind: 'discussion', visibility: 'everyone' });
    for (const who of [author, reporter]) await api('POST', `/api/v1/communities/${slug}/join`, tokens[who.email], null);
    const topic = await api('POST', `/api/v1/communities/${slug}/spaces/general/topics`, tokens[owner.email], { title: 'Favourite editors?', body: 'Tell us.' });
    const spam = await api('POST', `/api/v1/topics/${topic.id}/posts`, tokens[author.email], { body: 'Buy followers at spam.example, cheap!' });

    // The reporter flags the reply from the topic page.
    const rctx = await newContext();
    const r = await rctx.newPage();
    try {
      await logIn(r, reporter.email);
      await goto(r, `/c/${slug}/t/${topic.id}`);
      const post = r.locator(`#post-${spam.id}`);
      await post.locator('summary', { hasText: 'Flag' }).click();
      await post.getByLabel('What is wrong?').selectOption('spam');
      await post.getByLabel(/Note for the moderators/).fill('Selling followers');
      await clickAndLoad(r, post.getByRole('button', { name: 'Send flag' }));
      assert.match(norm(await r.locator('.flash').innerText()), /your flag is with the moderators/);
    } catch (err) {
      await screenshot(r, 'FAILED-reporter').catch(() => {});
      throw err;
    } finally {
      await rctx.close();
    }

    // The owner sees the card, works the queue, and reads the audit log.
    const octx = await newContext();
    const p = await octx.newPage();
    try {
      await logIn(p, owner.email);
      await goto(p, `/c/${slug}`);
      assert.match(norm(await p.locator('.attention').innerText()), /1 open flag/);
      await clickAndLoad(p, p.locator('.attention').getByRole('link', { name: 'Moderation queue' }));
      assert.equal(pathOf(p), `/c/${slug}/moderation`);
      const item = p.locator(`#flagged-${spam.id}`);
      assert.match(norm(await item.innerText()), /Spam: “Selling followers”/);
      await scan(p, 'moderation queue');
      await item.getByLabel('Action').selectOption('hide');
      await item.getByLabel(/^Reason \(the author/).fill('Rule 3: no advertising');
      await clickAndLoad(p, item.getByRole('button', { name: 'Apply' }));
      assert.match(norm(await p.locator('.flash').innerText()), /Hidden/);
      assert.match(norm(await p.locator('main').innerText()), /Nothing waiting/);

      await goto(p, `/c/${slug}/moderation/log`);
      const row = p.locator('tbody tr').first();
      assert.match(norm(await row.innerText()), /hide .*Art Author .*Rule 3: no advertising/);
      await scan(p, 'audit log');
    } catch (err) {
      await screenshot(p, 'FAILED-moderator').catch(() => {});
      if (server?.exited) err.message += `\n  the server exited (${describeExit(server.exited)})`;
      throw err;
    } finally {
      await octx.close();
    }

    const inbox = await api('GET', '/api/v1/notifications', tokens[reporter.email], null);
    assert.ok(inbox.items.some((n) => n.kind === 'flag_handled'), `no flag_handled notice: ${JSON.stringify(inbox.items)}`);
    const authorInbox = await api('GET', '/api/v1/notifications', tokens[author.email], null);
    assert.ok(authorInbox.items.some((n) => n.kind === 'moderation' && n.excerpt.includes('Rule 3')), 'the author was not told why');
  });
});
