// Browser end-to-end tests for Townsquare: one member's journey through the HTML interface,
// the error paths of sign-up and log-in, and an axe-core accessibility scan (WCAG 2 A/AA) of
// every page visited, in light and dark colour scheme.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// The suite starts its own server on a free port with a fresh temporary data directory and
// stops it at the end. Screenshots and the server log go to e2e/test-results/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  E2E_DIR,
  HEALTH_TIMEOUT_MS,
  describeExit,
  startServer,
  stopServer,
} from './server.mjs';

const RESULTS_DIR = path.join(E2E_DIR, 'test-results');
// Debug builds hash passwords slowly; give each browser action generous time.
const ACTION_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 120_000;

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);
const COLOR_SCHEMES = ['light', 'dark'];

// Unique per run, so the suite can also be pointed at a long-lived data directory.
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const USER = {
  email: `e2e-${RUN}@example.com`,
  displayName: `Zoë Tester ${RUN}`,
  password: 'correct horse battery staple',
};
const COMMUNITY = {
  name: `Allotment Friends ${RUN}`,
  slug: `allotment-${RUN}`,
  description: 'Growing vegetables together, swapping seeds and advice.',
  guidelines: 'Be kind.\nNo selling.\nShare what you harvest.',
  visibility: 'public',
  joinPolicy: 'approval',
};
const SPACE = {
  name: `Seed Swaps ${RUN}`,
  slug: 'seed-swaps',
  description: 'Offer and ask for seeds.',
  kind: 'discussion',
  visibility: 'everyone',
};

// Every page the suite visits and scans, in the order the journey reaches them.
const SCANNED_PAGES = [
  '/ (signed out)',
  '/signup',
  '/ (signed in)',
  '/communities/new',
  'community home /c/{slug}',
  'new space form /c/{slug}/spaces/new',
  'space page /c/{slug}/s/{space}',
  '/login',
  '/login (wrong password)',
  '/signup (invalid e-mail)',
];

// ---------------------------------------------------------------------------------------------
// Shared state

let server; // { child, baseUrl, dataDir, log(), exited }
let browser;
let context; // the journey's browser context (carries the session cookie)
let page;
const scans = new Map(); // page label -> [{ scheme, url, violations, minorCount }]
const brokenSubresources = []; // "GET url -> status (on page)"
const pageErrors = []; // uncaught script errors
const emptyAssets = new Set(); // stylesheets and scripts served with an empty body
const schemeBlind = new Set(); // pages whose colours do not change in dark scheme
let screenshotCounter = 0;
let journeyFailure = null; // name of the first failed journey step

// ---------------------------------------------------------------------------------------------
// Browser helpers

async function newContext() {
  const ctx = await browser.newContext({
    baseURL: server.baseUrl,
    bypassCSP: true, // the server's CSP forbids inline script; axe is injected as one
    colorScheme: 'light',
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
  });
  ctx.setDefaultTimeout(ACTION_TIMEOUT_MS);
  ctx.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  ctx.on('page', watchPage);
  return ctx;
}

function watchPage(p) {
  p.on('response', (res) => {
    const req = res.request();
    const isFavicon = new URL(res.url()).pathname === '/favicon.ico';
    if (res.status() >= 400 && !req.isNavigationRequest() && !isFavicon) {
      brokenSubresources.push(`${req.method()} ${res.url()} -> ${res.status()} (on ${p.url()})`);
    }
  });
  p.on('pageerror', (err) => pageErrors.push(`${p.url()}: ${err.message}`));
  p.on('requestfinished', async (req) => {
    if (!['stylesheet', 'script'].includes(req.resourceType())) return;
    try {
      const res = await req.response();
      if (res && res.status() === 200 && (await res.body()).length === 0) {
        emptyAssets.add(`${req.resourceType()} ${new URL(req.url()).pathname}`);
      }
    } catch {
      /* the page moved on */
    }
  });
}

const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const pathOf = (p) => new URL(p.url()).pathname;

async function goto(p, urlPath) {
  const res = await p.goto(urlPath, { waitUntil: 'load' });
  assert.ok(res, `no response for GET ${urlPath}`);
  assert.equal(
    res.status(),
    200,
    `GET ${urlPath} answered ${res.status()} (final URL ${p.url()})${await pageSummary(p)}`,
  );
  return res;
}

/** What is on the page, for failure messages. */
async function pageSummary(p) {
  try {
    const info = await p.evaluate(() => {
      const t = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
      return {
        title: document.title,
        h1: [...document.querySelectorAll('h1')].map(t),
        alerts: [...document.querySelectorAll('[role=alert], [aria-invalid=true]')].map((el) =>
          el.matches('[aria-invalid=true]') ? `invalid field ${el.name || el.id}` : t(el),
        ),
        body: t(document.body).slice(0, 400),
      };
    });
    return (
      `\n  page: ${p.url()}\n  title: ${JSON.stringify(info.title)}\n  h1: ${JSON.stringify(info.h1)}` +
      `\n  alerts: ${JSON.stringify(info.alerts)}\n  text: ${JSON.stringify(info.body)}`
    );
  } catch (err) {
    return `\n  (could not read the page: ${err.message})`;
  }
}

/** The one form on the page that has a control named `fieldName`. */
function formWith(p, fieldName) {
  return p.locator('form').filter({ has: p.locator(`[name="${fieldName}"]`) });
}

async function fill(form, name, value) {
  const field = form.locator(`[name="${name}"]`);
  const count = await field.count();
  assert.equal(count, 1, `expected one control named "${name}" in the form, found ${count}`);
  const tag = await field.evaluate((el) => el.tagName.toLowerCase());
  if (tag === 'select') {
    await field.selectOption(value);
  } else {
    await field.fill(value);
  }
}

async function optionValues(form, name) {
  return form
    .locator(`select[name="${name}"] option`)
    .evaluateAll((opts) => opts.map((o) => o.value).filter((v) => v !== ''));
}

async function expectOptions(form, name, expected) {
  const values = await optionValues(form, name);
  assert.deepEqual(
    [...values].sort(),
    [...expected].sort(),
    `select[name=${name}] should offer exactly ${expected.join('|')}, offers ${values.join('|') || 'nothing'}`,
  );
}

/** Clicks the form's submit button and waits until the resulting page has loaded. */
async function submit(p, form) {
  const button = form
    .locator('button[type=submit], button:not([type]), input[type=submit]')
    .first();
  assert.equal(await button.count(), 1, 'the form has no submit button');
  const before = p.url();
  const loaded = p.waitForEvent('load', { timeout: ACTION_TIMEOUT_MS });
  await button.click();
  try {
    await loaded;
  } catch (err) {
    throw new Error(
      `Submitting the form on ${before} did not load a new page within ` +
        `${ACTION_TIMEOUT_MS / 1000} s (${err.message.split('\n')[0]})${await pageSummary(p)}`,
    );
  }
}

async function expectPath(p, expected, doing) {
  const actual = pathOf(p);
  if (actual !== expected) {
    assert.fail(`${doing}: expected to land on ${expected}, landed on ${actual}${await pageSummary(p)}`);
  }
}

async function h1Texts(p) {
  return (await p.locator('h1').allInnerTexts()).map(norm);
}

async function expectH1Contains(p, text) {
  const h1s = await h1Texts(p);
  assert.ok(
    h1s.some((h) => h.includes(text)),
    `expected an h1 containing ${JSON.stringify(text)} on ${pathOf(p)}, found ${JSON.stringify(h1s)}`,
  );
}

function header(p) {
  return p.locator('header').first();
}

async function expectSignedOut(p) {
  const hdr = header(p);
  assert.equal(await hdr.count(), 1, `no <header> on ${pathOf(p)}${await pageSummary(p)}`);
  const login = hdr.getByRole('link', { name: 'Log in', exact: true });
  assert.ok(
    (await login.count()) >= 1 && (await login.first().isVisible()),
    `expected a visible "Log in" link in the header of ${pathOf(p)}; header text: ` +
      JSON.stringify(norm(await hdr.innerText())),
  );
  const logout = p.getByRole('button', { name: 'Log out', exact: true });
  assert.equal(await logout.count(), 0, `a signed-out page ${pathOf(p)} still offers "Log out"`);
}

async function expectSignedIn(p) {
  const hdr = header(p);
  assert.equal(await hdr.count(), 1, `no <header> on ${pathOf(p)}${await pageSummary(p)}`);
  const text = norm(await hdr.innerText());
  assert.ok(
    text.includes(USER.displayName),
    `expected the header of ${pathOf(p)} to show the display name ${JSON.stringify(USER.displayName)}; ` +
      `header text: ${JSON.stringify(text)}`,
  );
  const logout = p.getByRole('button', { name: 'Log out', exact: true });
  assert.ok((await logout.count()) >= 1, `no "Log out" button on signed-in page ${pathOf(p)}`);
}

async function screenshot(p, name) {
  screenshotCounter += 1;
  const file = `${String(screenshotCounter).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`;
  await p.screenshot({ path: path.join(RESULTS_DIR, file), fullPage: true });
  return file;
}

async function settle(p) {
  // Let colour-scheme transitions finish so axe measures the final colours.
  await p.evaluate(async () => {
    const finite = document
      .getAnimations()
      .filter((a) => Number.isFinite(a.effect?.getComputedTiming?.().endTime ?? Infinity));
    await Promise.race([
      Promise.all(finite.map((a) => a.finished.catch(() => {}))),
      new Promise((r) => setTimeout(r, 2_000)),
    ]);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

/** Screenshots and axe-scans the current page in light and dark colour scheme. */
async function scan(p, label) {
  const results = [];
  const looks = [];
  for (const scheme of COLOR_SCHEMES) {
    await p.emulateMedia({ colorScheme: scheme });
    await settle(p);
    looks.push(
      await p.evaluate(() => {
        const b = getComputedStyle(document.body);
        const h = getComputedStyle(document.documentElement);
        return `${h.backgroundColor} ${b.backgroundColor} ${b.color}`;
      }),
    );
    await screenshot(p, `${label}-${scheme}`);
    if (!(await p.evaluate(() => typeof window.axe === 'object'))) {
      await p.addScriptTag({ content: AXE_SOURCE });
    }
    const result = await p.evaluate(
      (tags) =>
        window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
        }),
      AXE_TAGS,
    );
    results.push({
      scheme,
      url: pathOf(p),
      violations: result.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact)),
      minor: result.violations.filter((v) => !BLOCKING_IMPACTS.has(v.impact)),
    });
  }
  await p.emulateMedia({ colorScheme: 'light' });
  if (new Set(looks).size === 1) schemeBlind.add(label);
  scans.set(label, results);
}

function formatViolations(results) {
  // Merge the same violation seen in both schemes.
  const merged = new Map();
  for (const { scheme, url, violations } of results) {
    for (const v of violations) {
      const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' '));
      const key = `${v.id}|${targets.join(',')}`;
      const entry = merged.get(key) ?? { v, url, targets, schemes: [], count: v.nodes.length };
      entry.schemes.push(scheme);
      merged.set(key, entry);
    }
  }
  return [...merged.values()].map(
    ({ v, url, targets, schemes, count }) =>
      `  - [${v.impact}] ${v.id} on ${url} (${schemes.join('+')}): ${v.help}\n` +
      `    ${count} element(s), first: ${targets.join(' | ')}\n    ${v.helpUrl}`,
  );
}

/**
 * A journey step: steps share state, so once one fails the later ones fail immediately
 * with a pointer to the first failure (they are not skipped).
 */
function step(name, fn) {
  it(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (journeyFailure) {
      assert.fail(`not run: the earlier journey step "${journeyFailure}" failed`);
    }
    try {
      await fn(t);
    } catch (err) {
      journeyFailure = name;
      await decorate(err, page, name);
      throw err;
    }
  });
}

function requireStarted() {
  if (!page) assert.fail('not run: the server or the browser did not start (see the first test)');
}

async function decorate(err, p, name) {
  try {
    if (p && !p.isClosed()) {
      const file = await screenshot(p, `FAILED-${name}`);
      err.message += `\n  screenshot: e2e/test-results/${file}`;
    }
  } catch {
    /* the page may be gone */
  }
  if (server?.exited) {
    err.message +=
      `\n  the server has exited (${describeExit(server.exited)}); stderr:\n${server.stderr()}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The tests

describe('Townsquare in a browser', { timeout: 30 * 60_000 }, () => {
  before(() => {
    // Only this suite's files: other suites keep theirs in subdirectories.
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    for (const entry of fs.readdirSync(RESULTS_DIR, { withFileTypes: true })) {
      if (entry.isFile()) fs.rmSync(path.join(RESULTS_DIR, entry.name), { force: true });
    }
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer(server);
  });

  // A test rather than a hook, so that a server that does not start counts as a failure.
  it('the server starts and answers GET /healthz; Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    try {
      server = await startServer(path.join(RESULTS_DIR, 'server.log'));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      context = await newContext();
      page = await context.newPage();
    } catch (err) {
      journeyFailure = 'the server starts and answers GET /healthz; Chromium launches';
      throw err;
    }
  });

  describe('journey: sign up, create a community and a space, log out and back in', () => {
    step('the home page is served to a visitor who is signed out', async () => {
      await goto(page, '/');
      await expectSignedOut(page);
      await scan(page, '/ (signed out)');
    });

    step('sign up lands on / signed in', async () => {
      await goto(page, '/signup');
      await scan(page, '/signup');
      const form = formWith(page, 'email');
      await fill(form, 'email', USER.email);
      await fill(form, 'display_name', USER.displayName);
      await fill(form, 'password', USER.password);
      await submit(page, form);
      await expectPath(page, '/', 'after signing up');
      await expectSignedIn(page);
      await scan(page, '/ (signed in)');
    });

    step('creating a community lands on its home page', async () => {
      await goto(page, '/communities/new');
      await scan(page, '/communities/new');
      const form = formWith(page, 'slug');
      await expectOptions(form, 'visibility', ['public', 'private']);
      await expectOptions(form, 'join_policy', ['open', 'approval', 'invite']);
      assert.equal(
        await form.locator('[name=guidelines]').evaluate((el) => el.tagName.toLowerCase()),
        'textarea',
        'the guidelines field should be a textarea',
      );
      await fill(form, 'name', COMMUNITY.name);
      await fill(form, 'slug', COMMUNITY.slug);
      await fill(form, 'description', COMMUNITY.description);
      await fill(form, 'guidelines', COMMUNITY.guidelines);
      await fill(form, 'visibility', COMMUNITY.visibility);
      await fill(form, 'join_policy', COMMUNITY.joinPolicy);
      await submit(page, form);
      await expectPath(page, `/c/${COMMUNITY.slug}`, 'after creating a community');
      await expectH1Contains(page, COMMUNITY.name);
      await scan(page, 'community home /c/{slug}');
    });

    step('creating a space lands on the space page', async () => {
      await goto(page, `/c/${COMMUNITY.slug}/spaces/new`);
      await scan(page, 'new space form /c/{slug}/spaces/new');
      const form = formWith(page, 'slug');
      await expectOptions(form, 'kind', ['discussion', 'chat', 'events', 'resources']);
      await expectOptions(form, 'visibility', ['everyone', 'members', 'moderators', 'admins']);
      await fill(form, 'name', SPACE.name);
      await fill(form, 'slug', SPACE.slug);
      await fill(form, 'description', SPACE.description);
      await fill(form, 'kind', SPACE.kind);
      await fill(form, 'visibility', SPACE.visibility);
      await submit(page, form);
      await expectPath(page, `/c/${COMMUNITY.slug}/s/${SPACE.slug}`, 'after creating a space');
      await expectH1Contains(page, SPACE.name);
      await scan(page, 'space page /c/{slug}/s/{space}');
    });

    step('"Log out" in the header signs the member out', async () => {
      const logout = header(page).getByRole('button', { name: 'Log out', exact: true });
      assert.equal(await logout.count(), 1, `expected one "Log out" button in the header of ${pathOf(page)}`);
      const posted = page.waitForRequest(
        (r) => r.isNavigationRequest() && r.method() === 'POST' && new URL(r.url()).pathname === '/logout',
        { timeout: ACTION_TIMEOUT_MS },
      );
      const loaded = page.waitForEvent('load');
      await logout.click();
      await posted.catch(() => assert.fail('clicking "Log out" did not POST to /logout'));
      await loaded;
      await expectSignedOut(page);
      // The session is really gone, not just hidden on this one page.
      await goto(page, '/');
      await expectSignedOut(page);
    });

    step('logging in again shows the display name in the header', async () => {
      await goto(page, '/login');
      await scan(page, '/login');
      const form = formWith(page, 'email');
      await fill(form, 'email', USER.email);
      await fill(form, 'password', USER.password);
      await submit(page, form);
      if (pathOf(page) === '/login') {
        assert.fail(`logging in with the right password stayed on /login${await pageSummary(page)}`);
      }
      await expectSignedIn(page);
    });

    step('the community home lists the new space in its space navigation', async () => {
      await goto(page, `/c/${COMMUNITY.slug}`);
      const navs = page.getByRole('navigation', { name: /space/i });
      if ((await navs.count()) === 0) {
        const present = await page
          .locator('nav, [role=navigation]')
          .evaluateAll((els) =>
            els.map((el) => el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || '(unnamed)'),
          );
        assert.fail(
          `no navigation landmark named like "Spaces" on /c/${COMMUNITY.slug} ` +
            `(navigation landmarks present: ${JSON.stringify(present)})`,
        );
      }
      const link = navs.getByRole('link', { name: SPACE.name });
      assert.ok(
        (await link.count()) >= 1,
        `the space navigation does not link ${JSON.stringify(SPACE.name)}; it shows ` +
          JSON.stringify(norm(await navs.first().innerText())),
      );
      const href = await link.first().getAttribute('href');
      assert.equal(
        new URL(href, server.baseUrl).pathname,
        `/c/${COMMUNITY.slug}/s/${SPACE.slug}`,
        'the space link points elsewhere',
      );
    });
  });

  describe('error paths', () => {
    it('a wrong password shows an alert and leaves the visitor signed out', { timeout: TEST_TIMEOUT_MS }, async () => {
      requireStarted();
      const ctx = await newContext();
      const p = await ctx.newPage();
      try {
        await goto(p, '/login');
        const form = formWith(p, 'email');
        await fill(form, 'email', USER.email);
        await fill(form, 'password', 'this is not the password');
        await submit(p, form);
        const alerts = (await p.getByRole('alert').allInnerTexts()).map(norm).filter(Boolean);
        assert.ok(
          alerts.length > 0,
          `no element with role=alert and text after a wrong password${await pageSummary(p)}`,
        );
        await expectSignedOut(p);
        await scan(p, '/login (wrong password)');
        await goto(p, '/');
        await expectSignedOut(p);
      } catch (err) {
        await decorate(err, p, 'wrong password');
        throw err;
      } finally {
        await ctx.close();
      }
    });

    it('an invalid e-mail on sign-up is explained next to the field and keeps what was typed', { timeout: TEST_TIMEOUT_MS }, async (t) => {
      requireStarted();
      const ctx = await newContext();
      const p = await ctx.newPage();
      try {
        await goto(p, '/signup');
        const form = formWith(p, 'email');
        const email = form.locator('[name=email]');
        const nearbyBefore = await nearbyText(email);
        const describedBefore = await describedText(email);
        // This checks the server's validation, which must hold whatever the browser does:
        // switch off the browser's own constraint validation for this submission.
        await form.evaluate((f) => {
          f.noValidate = true;
        });
        const typed = {
          email: 'not-an-email',
          display_name: `Invalid Email ${RUN}`,
          password: USER.password,
        };
        await fill(form, 'email', typed.email);
        await fill(form, 'display_name', typed.display_name);
        await fill(form, 'password', typed.password);
        await submit(p, form);

        const after = formWith(p, 'email');
        assert.equal(await after.count(), 1, `the sign-up form is not shown again${await pageSummary(p)}`);
        const emailAfter = after.locator('[name=email]');
        const nearbyAfter = await nearbyText(emailAfter);
        const described = await describedText(emailAfter);
        const newNearby = nearbyAfter.filter((line) => !nearbyBefore.includes(line));
        const describedChanged = described.length > 0 && described !== describedBefore;
        assert.ok(
          describedChanged || newNearby.length > 0,
          'no error message next to the e-mail field: its surroundings read ' +
            `${JSON.stringify(nearbyAfter)} (before submitting: ${JSON.stringify(nearbyBefore)}), ` +
            `aria-describedby text: ${JSON.stringify(described)}${await pageSummary(p)}`,
        );
        assert.equal(
          await after.locator('[name=display_name]').inputValue(),
          typed.display_name,
          'the display name typed before submitting was not kept',
        );
        const emailValue = await emailAfter.inputValue();
        if (emailValue !== typed.email) {
          t.diagnostic(`note: the invalid e-mail was not kept in its field (shows ${JSON.stringify(emailValue)})`);
        }
        const ariaInvalid = await emailAfter.getAttribute('aria-invalid');
        if (ariaInvalid !== 'true' || !describedChanged) {
          t.diagnostic(
            'note: the e-mail error is not tied to the field for assistive technology ' +
              `(aria-invalid=${JSON.stringify(ariaInvalid)}, aria-describedby text ${JSON.stringify(described)})`,
          );
        }
        await expectSignedOut(p);
        await scan(p, '/signup (invalid e-mail)');
      } catch (err) {
        await decorate(err, p, 'invalid e-mail');
        throw err;
      } finally {
        await ctx.close();
      }
    });
  });

  describe('accessibility: no serious or critical axe violations (WCAG 2 A and AA, light and dark)', () => {
    for (const label of SCANNED_PAGES) {
      it(label, () => {
        const results = scans.get(label);
        if (!results) {
          assert.fail('not scanned: the test that visits this page failed before reaching it');
        }
        const lines = formatViolations(results);
        if (lines.length > 0) {
          assert.fail(`${lines.length} serious/critical accessibility violation(s):\n${lines.join('\n')}`);
        }
      });
    }
  });

  describe('page health', () => {
    it('pages load their stylesheets, scripts and images without errors', (t) => {
      requireStarted();
      const unique = [...new Set(brokenSubresources)];
      const lesser = [...scans.values()].flat().flatMap((r) => r.minor.map((v) => `${r.url} ${r.scheme}: [${v.impact}] ${v.id}`));
      for (const line of [...new Set(lesser)]) t.diagnostic(`minor axe finding: ${line}`);
      for (const err of pageErrors) t.diagnostic(`script error: ${err}`);
      for (const asset of emptyAssets) t.diagnostic(`note: ${asset} is served empty (200, no body)`);
      if (schemeBlind.size > 0) {
        t.diagnostic(
          'note: page and body colours are the same in light and dark colour scheme on: ' +
            `${[...schemeBlind].join(', ')} (the dark-scheme scan then re-checks the light one)`,
        );
      }
      assert.deepEqual(unique, [], `sub-resources that failed to load:\n${unique.join('\n')}`);
    });
  });
});

/** Text lines around a form control: its field group (the ancestor holding only this control) and its neighbours. */
async function nearbyText(field) {
  return field.evaluate((el) => {
    const controls = 'input:not([type=hidden]), select, textarea, button';
    let group = el;
    while (
      group.parentElement &&
      group.parentElement.tagName !== 'FORM' &&
      group.parentElement.querySelectorAll(controls).length === 1
    ) {
      group = group.parentElement;
    }
    const parts = [group, group.previousElementSibling, group.nextElementSibling].filter(
      (n) => n && (n === group || !n.matches(controls) && !n.querySelector(controls)),
    );
    return parts
      .flatMap((n) => (n.innerText || '').split('\n'))
      .map((s) => s.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
  });
}

/** Text of the elements named by the field's aria-describedby and aria-errormessage. */
async function describedText(field) {
  return field.evaluate((el) => {
    const ids = `${el.getAttribute('aria-describedby') || ''} ${el.getAttribute('aria-errormessage') || ''}`
      .split(/\s+/)
      .filter(Boolean);
    return ids
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((n) => (n.innerText || n.textContent || '').replace(/\s+/g, ' ').trim())
      .filter(Boolean)
      .join(' | ');
  });
}
