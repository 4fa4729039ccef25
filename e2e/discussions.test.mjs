// Browser tests for discussions: a member starts a topic, replies, reacts and finds it through
// the sidebar search (with axe-core scans of the new pages in light and dark colour scheme),
// and an XSS corpus stored through the JSON API in every field a user controls, then shown on
// every page that displays it, in Chromium with and without the server's CSP.
//
// Run:  cd e2e && npm ci && TOWNSQUARE_BIN=../target/debug/townsquare node --test
//
// Starts its own server (see server.mjs). Screenshots and the server log go to
// e2e/test-results/discussions/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_TIMEOUT_MS, describeExit } from './server.mjs';
import { PASSWORD, RUN, clickAndLoad, goto, norm, pathOf, harness } from './helpers.mjs';

const TEST_TIMEOUT_MS = 180_000;
const h = harness('discussions');

describe('discussions in a browser', { timeout: 30 * 60_000 }, () => {
  after(async () => h.stop());

  it('the server starts and Chromium launches', { timeout: HEALTH_TIMEOUT_MS + 60_000 }, async () => {
    await h.start();
  });

  it('a member starts a question, replies, reacts and finds it through the sidebar search', { timeout: TEST_TIMEOUT_MS }, async () => {
    h.requireStarted();
    const ctx = await h.newContext();
    const p = await ctx.newPage();
    const slug = `garden-${RUN}`;
    const title = `Which tomato variety ripens first ${RUN}`;
    try {
      // Sign up.
      await goto(p, '/signup');
      const signup = p.locator('form').filter({ has: p.locator('[name=display_name]') });
      await signup.locator('[name=email]').fill(`talker-${RUN}@example.com`);
      await signup.locator('[name=display_name]').fill(`Tess Talker ${RUN}`);
      await signup.locator('[name=password]').fill(PASSWORD);
      await clickAndLoad(p, signup.locator('button[type=submit]'));
      assert.equal(pathOf(p), '/', 'sign-up did not land on /');

      // A community and a discussion space.
      await goto(p, '/communities/new');
      const cf = p.locator('form').filter({ has: p.locator('[name=slug]') });
      await cf.locator('[name=name]').fill(`Gardeners ${RUN}`);
      await cf.locator('[name=slug]').fill(slug);
      await cf.locator('[name=visibility]').selectOption('public');
      await cf.locator('[name=join_policy]').selectOption('open');
      await clickAndLoad(p, cf.locator('button[type=submit]'));
      assert.equal(pathOf(p), `/c/${slug}`);
      await goto(p, `/c/${slug}/spaces/new`);
      const sf = p.locator('form').filter({ has: p.locator('[name=slug]') });
      await sf.locator('[name=name]').fill('Growing');
      await sf.locator('[name=slug]').fill('growing');
      await sf.locator('[name=kind]').selectOption('discussion');
      await sf.locator('[name=visibility]').selectOption('everyone');
      await clickAndLoad(p, sf.locator('button[type=submit]'));
      assert.equal(pathOf(p), `/c/${slug}/s/growing`);

      // Start a topic: title, Markdown body, tags, a question.
      await clickAndLoad(p, p.getByRole('link', { name: 'New topic' }).first());
      assert.equal(pathOf(p), `/c/${slug}/s/growing/new-topic`);
      await h.scan(p, 'new topic form');
      const tf = p.locator('form').filter({ has: p.locator('[name=title]') });
      await tf.getByLabel('Title').fill(title);
      await tf.locator('textarea[name=body]').fill('I want **early** tomatoes.\n\n- sunny balcony\n- small pots');
      await tf.getByLabel(/Tags/).fill('tomatoes, balcony');
      await tf.getByLabel(/This is a question/).check();
      await clickAndLoad(p, tf.getByRole('button', { name: 'Post topic' }));
      assert.match(pathOf(p), new RegExp(`^/c/${slug}/t/[0-9a-f-]+$`), 'posting did not open the topic');
      const topicPath = pathOf(p);
      assert.equal(norm(await p.locator('h1').innerText()), title);
      const meta = norm(await p.locator('.topic .page-head .meta').innerText());
      assert.ok(meta.includes('Question') && meta.includes('#tomatoes') && meta.includes('#balcony'), `topic meta: ${meta}`);
      assert.equal(await p.locator('.post-body strong').first().innerText(), 'early', 'Markdown was not rendered');
      assert.equal(await p.locator('.post-body li').count(), 2);

      // Reply.
      const reply = p.locator('#reply form');
      await reply.getByLabel(/Reply/).fill('Try *Stupice*: it ripens in under 60 days.');
      await clickAndLoad(p, reply.getByRole('button', { name: 'Post reply' }));
      assert.equal(pathOf(p), topicPath);
      assert.equal(await p.locator('section.post').count(), 2, 'the reply is not shown');
      assert.equal(await p.locator('section.post').nth(1).locator('.post-body em').innerText(), 'Stupice');

      // React to the reply with 👍 "like".
      const like = () => p.locator('section.post').nth(1).getByRole('button', { name: /like/ });
      assert.equal(await like().getAttribute('aria-pressed'), 'false');
      await clickAndLoad(p, like());
      assert.equal(await like().getAttribute('aria-pressed'), 'true', 'the like button is not pressed after liking');
      assert.match(norm(await like().innerText()), /👍\s*1/);
      await h.scan(p, 'topic page');

      // Search from the sidebar.
      const box = p.getByRole('search').getByRole('searchbox').first();
      await box.fill('Stupice');
      const loaded = p.waitForEvent('load');
      await box.press('Enter');
      await loaded;
      assert.equal(pathOf(p), `/c/${slug}/search`);
      const result = p.locator('.results li').filter({ hasText: title });
      assert.equal(await result.count(), 1, `the topic is not among the results: ${norm(await p.locator('main').innerText())}`);
      const marks = (await result.locator('mark').allInnerTexts()).map(norm);
      assert.ok(marks.some((m) => m.toLowerCase() === 'stupice'), `no highlighted <mark>Stupice</mark>, marks: ${JSON.stringify(marks)}`);
      assert.equal(new URL(await result.locator('a').first().getAttribute('href'), h.server.baseUrl).pathname, topicPath);
      await h.scan(p, 'search page');

      // The home's lists: the fresh conversation is trending; the tab says which list is shown.
      await goto(p, `/c/${slug}`);
      const tabs = p.getByRole('navigation', { name: 'Topic lists' });
      await clickAndLoad(p, tabs.getByRole('link', { name: 'Trending' }));
      assert.equal(await tabs.getByRole('link', { name: 'Trending' }).getAttribute('aria-current'), 'page');
      const trending = await p.locator('[data-list=trending] li').allInnerTexts();
      assert.ok(trending.some((t) => t.includes(title)), `not trending: ${JSON.stringify(trending)}`);
      await h.scan(p, 'community home, trending');

      // Follow the whole space, to hear of every new topic in it.
      await goto(p, `/c/${slug}/s/growing`);
      await p.getByLabel('Notifications').selectOption('following');
      await clickAndLoad(p, p.getByRole('button', { name: 'Save' }));
      assert.match(norm(await p.locator('.flash').innerText()), /You follow this space/);
    } catch (err) {
      await h.screenshot(p, 'FAILED-journey').catch(() => {});
      if (h.server?.exited) err.message += `\n  the server exited (${describeExit(h.server.exited)})`;
      throw err;
    } finally {
      await ctx.close();
    }
  });

  describe('an XSS corpus in every field a member controls stays inert', () => {
    const PAYLOADS = [
      '<script>window.__xss=1</script>',
      '<img src=x onerror="window.__xss=1">',
      '[x](javascript:window.__xss=1)',
      '<svg onload="window.__xss=1">',
      '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
      '"><script>window.__xss=1</script>',
      '<iframe src="javascript:window.__xss=1">',
      '<a href="jav&#x09;ascript:window.__xss=1">x</a>',
    ];
    const slug = `xss-${RUN}`;
    const owner = { email: `xss-owner-${RUN}@example.com`, name: PAYLOADS[5] };
    const replier = { email: `xss-replier-${RUN}@example.com`, name: PAYLOADS[1] };
    let pages = [];

    before(async () => {
      if (!h.server || h.server.exited) return;
      const ownerToken = (await h.api('POST', '/api/v1/auth/signup', null, { email: owner.email, display_name: owner.name, password: PASSWORD })).token;
      const replierToken = (await h.api('POST', '/api/v1/auth/signup', null, { email: replier.email, display_name: replier.name, password: PASSWORD })).token;
      const all = PAYLOADS.join('\n\n');
      await h.api('POST', '/api/v1/communities', ownerToken, {
        name: PAYLOADS[4], slug, description: all, guidelines: all, visibility: 'public', join_policy: 'open',
      });
      await h.api('POST', `/api/v1/communities/${slug}/spaces`, ownerToken, {
        name: PAYLOADS[3], slug: 'corpus', description: all, kind: 'discussion', visibility: 'everyone',
      });
      await h.api('POST', `/api/v1/communities/${slug}/join`, replierToken, { accept_guidelines: true });
      // The replier posts the whole corpus at once: more than the default six posts a minute.
      await h.api('PUT', `/api/v1/communities/${slug}/auto-moderation/limits`, ownerToken, {
        hold_first_posts: 0, new_member_days: 3, new_member_links: 2, new_member_mentions: 3,
        posts_per_minute: 60, topics_per_day: 10, flags_per_day: 20,
      });
      const topic = await h.api('POST', `/api/v1/communities/${slug}/spaces/corpus/topics`, ownerToken, {
        title: `${PAYLOADS[0]} ${PAYLOADS[6]} corpus`,
        body: `Payload corpus follows.\n\n${all}`,
        tags: ['corpus'],
      });
      for (const payload of PAYLOADS) {
        await h.api('POST', `/api/v1/topics/${topic.id}/posts`, replierToken, { body: `corpus reply ${payload}` });
      }
      pages = [
        ['community home', `/c/${slug}`],
        ['space page', `/c/${slug}/s/corpus`],
        ['topic page', `/c/${slug}/t/${topic.id}`],
        ['search page', `/c/${slug}/search?q=corpus`],
        ['notifications', '/notifications'],
      ];
    });

    for (const bypassCSP of [true, false]) {
      const label = bypassCSP ? 'the markup alone (CSP bypassed)' : 'with the server\'s CSP';
      it(label, { timeout: TEST_TIMEOUT_MS }, async () => {
        h.requireStarted();
        assert.ok(pages.length > 0, 'the corpus was not stored');
        const ctx = await h.newContext({ bypassCSP });
        const dialogs = [];
        const popups = [];
        ctx.on('page', (pg) => {
          pg.on('dialog', (d) => {
            dialogs.push(`${d.type()} "${d.message()}" on ${pg.url()}`);
            d.dismiss().catch(() => {});
          });
        });
        const p = await ctx.newPage();
        ctx.on('page', (pg) => {
          if (pg !== p) popups.push(pg);
        });
        const findings = [];
        const inspect = async (where) => {
          const found = await p.evaluate(() => {
            const main = document.querySelector('main');
            const live = main
              ? [...main.querySelectorAll('script:not([src]), [onerror], [onload], iframe, svg [onload]')].map((el) => el.outerHTML.slice(0, 120))
              : ['(no main element)'];
            return { xss: typeof window.__xss, live };
          });
          if (found.xss !== 'undefined') findings.push(`${where}: window.__xss is set`);
          for (const el of found.live) findings.push(`${where}: live element ${el}`);
        };
        try {
          // The detector itself: markup that does run must be caught.
          if (bypassCSP) {
            await p.setContent('<main><img src="data:," onerror="window.__xss=1"></main>');
            await p.waitForTimeout(200);
            await inspect('control');
            assert.equal(findings.length, 2, `the check does not see a live handler: ${JSON.stringify(findings)}`);
            findings.length = 0;
          }
          await h.logIn(p, owner.email);
          let clicked = 0;
          for (const [name, urlPath] of pages) {
            await goto(p, urlPath);
            await p.waitForTimeout(200); // let anything that would run, run
            await inspect(name);
            if (name === 'topic page') {
              // The payloads are shown, as text.
              const h1 = norm(await p.locator('main h1').innerText());
              assert.ok(h1.includes(PAYLOADS[0]), `the title is not shown as text: ${h1}`);
              const shown = norm(await p.locator('body').innerText());
              assert.ok(shown.includes(owner.name) && shown.includes(replier.name), 'the display names are not shown as text');
            }
            await h.screenshot(p, `xss-${bypassCSP ? 'bypass' : 'csp'}-${name}`);
            const links = p.locator('main .post-body a');
            const count = await links.count();
            for (let i = 0; i < count; i++) {
              const link = links.nth(i);
              const href = await link.getAttribute('href');
              clicked += 1;
              await link.click({ noWaitAfter: true, timeout: 5_000 }).catch((e) => findings.push(`${name}: could not click link ${i} (${e.message.split('\n')[0]})`));
              await p.waitForTimeout(200);
              if (new URL(p.url()).pathname !== new URL(urlPath, h.server.baseUrl).pathname) {
                findings.push(`${name}: link ${i} (href=${JSON.stringify(href)}) navigated to ${p.url()}`);
                await goto(p, urlPath);
              } else {
                await inspect(`${name}, after clicking link ${i} (href=${JSON.stringify(href)})`);
              }
            }
          }
          assert.ok(clicked >= 3, `only ${clicked} links in post bodies were clicked`);
          for (const pg of popups) findings.push(`a link opened a new page: ${pg.url()}`);
          assert.deepEqual(dialogs, [], 'a dialog opened');
          assert.deepEqual(findings, [], `the corpus is not inert:\n${findings.join('\n')}`);
        } catch (err) {
          await h.screenshot(p, `FAILED-xss-${bypassCSP ? 'bypass' : 'csp'}`).catch(() => {});
          throw err;
        } finally {
          await ctx.close();
        }
      });
    }
  });
});
