// The demo page (web/demo/index.html) in headless Chromium, served by the first-run
// deployment ./run.sh serves: two browser contexts sign in through the development
// login as two people and use every panel, each seeing what the other does: chat with
// typing and a reaction, presence and the user count, a notification and an
// announcement as toasts, the shared document, a shared location, a call that rings,
// a blog like. Screenshots of both pages go to build/test-artifacts/demo/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { start_seed } from "../seeds/support.mjs";
import { launch_browser } from "./browser.mjs";

const ARTIFACTS = path.join(path.dirname(SWITCHBOARD_BIN), "test-artifacts", "demo");
const WAIT = { timeout: 15_000 };

describe("the demo page in headless Chromium", () => {
  let d;
  let browser;
  const pages = {};
  const errors = [];

  async function sign_in(name, { admin = false } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(`${name}: ${error.message}`));
    await page.goto(`${d.url}/demo`);
    await page.fill("#login-name", name);
    if (admin) await page.check("#login-admin");
    await page.click("#login-form button");
    await page.waitForSelector("#status.connected", WAIT);
    await page.waitForFunction(() => document.querySelector("#chat-room").textContent !== "", null, WAIT);
    await page.waitForSelector("#doc:not([disabled])", WAIT);
    return page;
  }
  const text_of = (page, selector, expected) =>
    page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent.includes(e), [selector, expected], WAIT);

  before(async () => {
    browser = await launch_browser();
    if (!browser) return;
    // The editing indicator must not time out while a loaded machine runs the test.
    d = await start_seed("examples/first-run", { replace: [[/^(\s*default_role: editor\b.*)$/m, "$1\n      editing_timeout: 600000"]] });
    pages.alice = await sign_in("Alice", { admin: true });
    pages.bob = await sign_in("Bob");
  });
  after(async () => {
    if (browser) {
      mkdirSync(ARTIFACTS, { recursive: true });
      for (const [name, page] of Object.entries(pages))
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true }).catch(() => {});
      await browser.close();
    }
    await d?.stop();
  });

  test("presence: each sees the other online and two users", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    await text_of(alice, "#person-bob", "online");
    await text_of(bob, "#person-alice", "online");
    await text_of(alice, "#user-count", "2");
    await text_of(bob, "#user-count", "2");
    await bob.selectOption("#my-status", "away");
    await text_of(alice, "#person-bob", "away");
  });

  test("chat: typing, a message and a reaction reach the other page", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    await bob.type("#chat-input", "Hi Alice");
    await text_of(alice, "#typing", "bob is typing");
    await bob.press("#chat-input", "Enter");
    await text_of(alice, "#messages", "Hi Alice");
    await text_of(alice, "#typing", "\u00a0");
    await alice.click("#messages li:last-child button.react");
    await text_of(bob, "#messages li:last-child button.react", "👍 1");
  });

  test("blog: a like moves the count on the other page and notifies the author", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    await alice.fill("#post-title", "Hello from Alice");
    await alice.fill("#post-body", "First post");
    await alice.click("#post-form button");
    await text_of(bob, "#posts", "Hello from Alice");
    await text_of(alice, "#posts li:first-child button.like", "♥ 0");
    await bob.click("#posts li:first-child button.like");
    await text_of(alice, "#posts li:first-child button.like", "♥ 1");
    await text_of(alice, "#toasts", '🔔 bob liked "Hello from Alice"');
    await text_of(alice, "#notifications", 'bob liked "Hello from Alice"');
    await text_of(alice, "#unread", "1");
  });

  test("notifications: an announcement is a toast on every page", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    assert.equal(await bob.isVisible("#announce-form"), false, "only the admin may announce");
    await alice.fill("#announce-title", "Maintenance");
    await alice.fill("#announce-message", "Down at 22:00");
    await alice.click("#announce-form button");
    await text_of(bob, "#toasts", "📣 Maintenance: Down at 22:00");
    await text_of(bob, "#notifications", "Maintenance");
  });

  test("shared document: both pages' typing converges", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    await alice.type("#doc", "Hello");
    await bob.waitForFunction(() => document.querySelector("#doc").value === "Hello", null, WAIT);
    await bob.focus("#doc");
    await bob.press("#doc", "End");
    await bob.type("#doc", " world");
    await alice.waitForFunction(() => document.querySelector("#doc").value === "Hello world", null, WAIT);
    await text_of(bob, "#doc-editing", "alice editing");
  });

  test("location: a shared position shows on the other page", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    await alice.fill("#lat", "48.8566");
    await alice.fill("#lng", "2.3522");
    await alice.click("#share-location");
    await text_of(bob, "#locations", "alice: 48.8566, 2.3522");
  });

  test("call: the call button rings the other page, which answers", async (t) => {
    if (!browser) return t.skip("no chromium");
    const { alice, bob } = pages;
    await bob.selectOption("#callee", "alice");
    await bob.click("#call");
    await text_of(bob, "#call-state", "ringing alice");
    await alice.waitForSelector("#ringing:not([hidden])", WAIT);
    await text_of(alice, "#ringing-text", "bob is calling");
    await alice.click("#accept");
    await text_of(bob, "#call-state", "in a call with alice");
    await text_of(alice, "#call-state", "in a call");
    // Screenshots while the call is up show every panel in use.
    mkdirSync(ARTIFACTS, { recursive: true });
    await alice.screenshot({ path: path.join(ARTIFACTS, "alice-in-call.png"), fullPage: true });
    await bob.screenshot({ path: path.join(ARTIFACTS, "bob-in-call.png"), fullPage: true });
    await bob.click("#hangup");
    await text_of(alice, "#call-state", "call ended");
  });

  test("no page had an error", async (t) => {
    if (!browser) return t.skip("no chromium");
    assert.deepEqual(errors, []);
  });
});
