// Browser test for the member directory of the demo community: the community manager opens
// the Open Source Guild's members, searches a member by name, filters by a custom profile
// field (Languages) and an interest, checks who is listed and who is not, pages on with
// "More members" and opens a profile. axe-core scans each page in light and dark.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test directory.test.mjs
//
// Starts its own server with `serve --demo` (see server.mjs). Screenshots and the server
// log go to e2e/test-results/directory/.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { clickAndLoad, goto, harness, norm, pathOf } from './helpers.mjs';

const TEST_TIMEOUT_MS = 240_000;
const DEMO_SEED_MS = 300_000;
const SLUG = 'open-source-guild';
const MANAGER = 'maya@demo.townsquare.test';
const DEMO_PASSWORD = 'townsquare-demo';
const PAGE = 30;

const h = harness('directory', { extraArgs: ['--demo'], healthTimeoutMs: DEMO_SEED_MS });

/** The directory's rows as the page shows them: name, the line under it, the profile link. */
async function listed(p) {
  const rows = p.locator('ul.directory > li');
  const out = [];
  for (let i = 0; i < (await rows.count()); i += 1) {
    const row = rows.nth(i);
    const link = row.locator('.member-line a').first();
    out.push({
      name: norm(await link.innerText()),
      href: await link.getAttribute('href'),
      text: norm(await row.locator('.member-line').innerText()),
    });
  }
  return out;
}

/** "Languages: Rust, Go" on a card → ['Rust', 'Go'] (empty when the member did not answer). */
function languagesOf(cardText) {
  const m = cardText.match(/Languages: ([^·]+)/);
  return m ? m[1].split(',').map((s) => s.trim()) : [];
}

/** The order the directory sorts names in: lower case, compared by code point. */
const nameKey = (name) => name.toLowerCase().split(/\s+/).join(' ');
const inNameOrder = (names) => names.every((n, i) => i === 0 || nameKey(names[i - 1]) <= nameKey(n));

describe('member directory in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server seeds the demo and Chromium launches', { timeout: DEMO_SEED_MS + 60_000 }, async () => {
    await h.start();
  });

  it('search by name, filter by a field and an interest, page on, open a profile', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const ctx = await h.newContext();
    const p = await ctx.newPage();
    try {
      await h.logIn(p, MANAGER, DEMO_PASSWORD);
      await goto(p, `/c/${SLUG}`);
      await clickAndLoad(p, p.getByRole('link', { name: 'Members', exact: true }).first());
      assert.equal(pathOf(p), `/c/${SLUG}/members`);
      assert.equal(norm(await p.locator('h1').innerText()), 'Members of Open Source Guild');

      // The first page: a full page in name order, with a way on.
      const first = await listed(p);
      assert.equal(first.length, PAGE, `the first page lists ${first.length} members`);
      assert.ok(inNameOrder(first.map((r) => r.name)), `not in name order: ${first.map((r) => r.name).join(', ')}`);
      await h.scan(p, 'directory');

      // Page on: the next members, none of the first page's, still in name order after them.
      await clickAndLoad(p, p.getByRole('link', { name: 'More members' }));
      const second = await listed(p);
      assert.ok(second.length > 0, 'the second page is empty');
      const firstHrefs = new Set(first.map((r) => r.href));
      assert.deepEqual(second.filter((r) => firstHrefs.has(r.href)).map((r) => r.name), [], 'the second page repeats members');
      assert.ok(
        inNameOrder([first[first.length - 1].name, ...second.map((r) => r.name)]),
        `page 2 does not continue the order: ${first[first.length - 1].name} then ${second.map((r) => r.name).join(', ')}`,
      );

      // Search by name: Priya Raman (a demo login) and nobody else.
      await goto(p, `/c/${SLUG}/members`);
      await p.getByLabel('Search members', { exact: true }).fill('priya');
      await clickAndLoad(p, p.locator('form.directory-search').getByRole('button', { name: 'Search', exact: true }));
      const found = await listed(p);
      assert.deepEqual(found.map((r) => r.name), ['Priya Raman']);
      assert.equal(await p.getByLabel('Search members', { exact: true }).inputValue(), 'priya');
      // A name with a surname prefix: every row matches it, Maya's own row among them.
      await p.getByLabel('Search members', { exact: true }).fill('lindq');
      await clickAndLoad(p, p.locator('form.directory-search').getByRole('button', { name: 'Search', exact: true }));
      const lind = await listed(p);
      assert.ok(lind.some((r) => r.name === 'Maya Lindqvist'), `Maya is not found: ${lind.map((r) => r.name)}`);
      assert.ok(lind.every((r) => /\blindq/i.test(r.name)), `a row does not match "lindq": ${lind.map((r) => r.name)}`);
      await h.scan(p, 'directory search');

      // Filter by a custom field and an interest: Languages = Rust, interest "security".
      // Someone on the unfiltered first page who does not list Rust must drop out.
      const withoutRust = first.find((r) => !languagesOf(r.text).includes('Rust'));
      assert.ok(withoutRust, 'every member on the first page lists Rust; the filter would show nothing');
      await goto(p, `/c/${SLUG}/members`);
      await p.locator('details.directory-filters summary').click();
      await p.getByLabel('Languages', { exact: true }).selectOption('Rust');
      await p.getByLabel('Interest', { exact: true }).fill('security');
      await clickAndLoad(p, p.getByRole('button', { name: 'Apply' }));
      const url = new URL(p.url());
      assert.equal(url.searchParams.get('interest'), 'security');
      const rust = await listed(p);
      assert.ok(rust.length > 0, 'nobody lists Rust and security');
      for (const r of rust) {
        assert.ok(languagesOf(r.text).includes('Rust'), `${r.name} is listed without Rust: ${r.text}`);
      }
      assert.ok(!rust.some((r) => r.href === withoutRust.href), `${withoutRust.name} (no Rust) is listed`);
      assert.ok(inNameOrder(rust.map((r) => r.name)));
      // The filters stay chosen, and the summary says how to clear them.
      assert.equal(await p.getByLabel('Languages', { exact: true }).inputValue(), 'Rust');
      assert.ok(await p.getByRole('link', { name: 'Clear' }).isVisible());
      await h.scan(p, 'directory filtered');

      // Open a profile from the filtered list: it lists Rust and the interest.
      const pick = rust[0];
      await clickAndLoad(p, p.locator('ul.directory').getByRole('link', { name: pick.name, exact: true }).first());
      assert.equal(pathOf(p), pick.href);
      assert.equal(norm(await p.locator('h1').innerText()), pick.name);
      const facts = p.locator('dl.profile-facts');
      const languages = norm(await facts.locator('dt', { hasText: 'Languages' }).locator('xpath=following-sibling::dd[1]').innerText());
      assert.ok(languages.split(', ').includes('Rust'), `the profile's languages: ${languages}`);
      const interests = (await facts.locator('ul.tags li').allInnerTexts()).map(norm);
      assert.ok(interests.includes('security'), `the profile's interests: ${interests}`);
      await h.scan(p, 'profile');
    } finally {
      await ctx.close();
    }
  });
});
