// What every browser test here shares: a browser context on the test server, navigation
// that checks the status, screenshots, axe-core scans in light and dark, JSON API calls and
// logging in. `harness(name)` keeps the server, the browser and the screenshot counter of
// one test file; its results go to e2e/test-results/<name>/.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, E2E_DIR, startServer, stopServer } from './server.mjs';

export const ACTION_TIMEOUT_MS = 30_000;
export const PASSWORD = 'correct horse battery staple';
export const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

export const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
export const pathOf = (p) => new URL(p.url()).pathname;

export async function goto(p, urlPath) {
  const res = await p.goto(urlPath, { waitUntil: 'load' });
  assert.ok(res, `no response for GET ${urlPath}`);
  assert.equal(res.status(), 200, `GET ${urlPath} answered ${res.status()}: ${norm(await p.locator('body').innerText()).slice(0, 300)}`);
}

/** Clicks `button` and waits for the page it leads to. */
export async function clickAndLoad(p, button) {
  const loaded = p.waitForEvent('load', { timeout: ACTION_TIMEOUT_MS });
  await button.click();
  await loaded;
}

/** `serverOptions` are startServer's (for example `{ extraArgs: ['--demo'] }`). */
export function harness(name, serverOptions = {}) {
  const resultsDir = path.join(E2E_DIR, 'test-results', name);
  const h = { server: null, browser: null, resultsDir };
  let shot = 0;

  h.start = async () => {
    fs.rmSync(resultsDir, { recursive: true, force: true });
    fs.mkdirSync(resultsDir, { recursive: true });
    h.server = await startServer(path.join(resultsDir, 'server.log'), serverOptions);
    h.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  };

  h.stop = async () => {
    await h.browser?.close().catch(() => {});
    await stopServer(h.server);
  };

  h.requireStarted = () => {
    if (!h.browser) assert.fail('not run: the server or the browser did not start (see the first test)');
  };

  h.newContext = async ({ bypassCSP = true } = {}) => {
    const ctx = await h.browser.newContext({
      baseURL: h.server.baseUrl,
      bypassCSP,
      colorScheme: 'light',
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
    });
    ctx.setDefaultTimeout(ACTION_TIMEOUT_MS);
    ctx.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    return ctx;
  };

  h.screenshot = async (p, label) => {
    shot += 1;
    const file = `${String(shot).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`;
    await p.screenshot({ path: path.join(resultsDir, file), fullPage: true });
  };

  /** axe-core on the current page in light and dark; fails on serious or critical findings. */
  h.scan = async (p, label) => {
    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await p.emulateMedia({ colorScheme: scheme });
      await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await h.screenshot(p, `${label}-${scheme}`);
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
  };

  /** A JSON API call; returns the parsed body, failing on an unexpected status. */
  h.api = async (method, urlPath, token, body, expected = [200, 201, 204]) => {
    const res = await fetch(`${h.server.baseUrl}${urlPath}`, {
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
  };

  h.logIn = async (p, email, password = PASSWORD) => {
    await goto(p, '/login');
    const form = p.locator('form').filter({ has: p.locator('[name=password]') });
    await form.locator('[name=email]').fill(email);
    await form.locator('[name=password]').fill(password);
    await clickAndLoad(p, form.locator('button[type=submit]'));
    assert.notEqual(pathOf(p), '/login', 'logging in failed');
  };

  return h;
}
