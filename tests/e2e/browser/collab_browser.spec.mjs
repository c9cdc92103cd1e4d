// Yjs editing in headless Chromium pages through the collab plugin: each page runs
// `yjs` and the `y-socket.io` provider from npm, unchanged, with a <textarea> bound to a
// Y.Text, and Playwright types into it key by key. Two and five pages converge, a
// reader's keystrokes change nothing anywhere, a reloaded page and a page opened after
// a server restart show the same text, and a closed tab's awareness disappears; with
// two nodes on Redis, pages on different nodes converge and see each other.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";

import { DEFAULT_TIMEOUT_MS } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { launch_browser, open_page, start_static_server } from "./browser.mjs";

const DOCUMENTS = ["pair", "five", "reader", "reload", "tabs"];

// In the page: opens the document with the provider and binds a textarea to its text
// (the smallest binding: the changed span of each input event becomes a delete and an
// insert; remote changes rewrite the value). Resolves once synced.
async function open_document({ url, token, doc, name }) {
  const { Y, SocketIOProvider } = window.sb;
  const ydoc = new Y.Doc();
  const text = ydoc.getText("content");
  const provider = new SocketIOProvider(url, doc, ydoc, { autoConnect: false, disableBc: true, auth: { token } });
  const area = document.createElement("textarea");
  document.body.append(area);
  let shown = "";
  area.addEventListener("input", () => {
    const now = area.value;
    let start = 0;
    while (start < shown.length && start < now.length && shown[start] === now[start]) start++;
    let end = 0;
    while (end < shown.length - start && end < now.length - start &&
           shown[shown.length - 1 - end] === now[now.length - 1 - end]) end++;
    ydoc.transact(() => {
      if (shown.length - start - end > 0) text.delete(start, shown.length - start - end);
      if (now.length - start - end > 0) text.insert(start, now.slice(start, now.length - end));
    });
    shown = now;
  });
  text.observe((event) => {
    if (event.transaction.local) return;
    const caret = area.selectionStart;
    area.value = shown = text.toString();
    area.selectionStart = area.selectionEnd = Math.min(caret, shown.length);
  });
  window.errors = [];
  provider.socket.on("collab:error", (e) => window.errors.push(e));
  provider.awareness.setLocalStateField("user", { name });
  window.doc = { ydoc, text, provider, area };
  window.text = () => text.toString();
  window.peers = () => [...provider.awareness.getStates().values()].map((s) => s.user?.name).filter(Boolean).sort();
  await new Promise((resolve) => {
    provider.on("sync", (synced) => synced && resolve());
    provider.connect();
  });
  area.value = shown = text.toString();
  area.focus();
  area.selectionStart = area.selectionEnd = shown.length;
}

// A page of `user` on `doc` through `node`, closed when the test ends.
async function open_editor(t, browser, pages, node, doc, user) {
  const page = await open_page(browser, pages);
  t.after(() => page.close_all());
  await page.evaluate(open_document, { url: node.url, token: node.token(user), doc, name: user });
  page.user = user;
  return page;
}

// Waits until every page's text has `length` characters, then checks they are equal.
async function converge(pages_, length) {
  for (const page of pages_)
    await page.waitForFunction((n) => window.text().length === n, length, { timeout: 20_000 });
  const all = await Promise.all(pages_.map((p) => p.evaluate(() => window.text())));
  for (const text of all) assert.equal(text, all[0], `texts differ: ${JSON.stringify(all)}`);
  return all[0];
}

// Where each keystroke lands depends on the carets; that every one landed does not.
const letters = (s) => [...s].sort().join("");

function ask(d, user, event, payload) {
  const socket = io(d.url, { forceNew: true, transports: ["websocket"], auth: { token: d.token(user) } });
  return new Promise((resolve, reject) => {
    socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, payload, (timeout, error, result) => {
      socket.disconnect();
      if (timeout) reject(timeout);
      else resolve([error, result]);
    });
  });
}

describe("collab in headless Chromium", () => {
  let d;
  let browser;
  let pages;
  before(async () => {
    browser = await launch_browser();
    if (!browser) return;
    pages = await start_static_server();
    d = await start_deployment({
      namespaces: [{ name: "/" }, ...DOCUMENTS.map((doc) => ({ name: `/yjs|${doc}` }))],
      plugins: [{ name: "collab" }],
      extra: { cors: { origins: ["*"] } },
    });
  });
  after(async () => {
    await browser?.close();
    pages?.close();
    await d?.stop();
  });

  // A page of `user` on `doc`, closed when the test ends.
  const editor = (t, doc, user) => open_editor(t, browser, pages, d, doc, user);

  // The owner opens first; `editors` become editors.
  async function team(t, doc, editors) {
    const owner = await editor(t, doc, "owner");
    for (const user of editors) {
      const [error] = await ask(d, "owner", "collab:grant", { doc, user, role: "editor" });
      assert.equal(error, null, JSON.stringify(error));
    }
    const others = [];
    for (const user of editors) others.push(await editor(t, doc, user));
    return [owner, ...others];
  }

  test("two pages typing at once converge, keystroke by keystroke", async (t) => {
    if (!browser) return t.skip("no chromium on this machine");
    const [a, b] = await team(t, "pair", ["bob"]);
    const typed = ["typed in page one. ", "and in page two. "];
    await Promise.all([a.keyboard.type(typed[0]), b.keyboard.type(typed[1])]);
    const text = await converge([a, b], 36);
    assert.equal(letters(text), letters(typed.join("")));
  });

  test("five pages converge; a reader's keystrokes change nothing; a reloaded page shows the same text", async (t) => {
    if (!browser) return t.skip("no chromium on this machine");
    const editors = await team(t, "five", ["b", "c", "d", "e"]);
    await Promise.all(editors.map((p, i) => p.keyboard.type(`${"abcde"[i]}`.repeat(12))));
    const text = await converge(editors, 60);
    const reader = await editor(t, "five", "rita");
    assert.equal(await reader.evaluate(() => window.text()), text);
    await reader.keyboard.type("VANDAL");
    await reader.waitForFunction(() => window.errors.some((e) => e.code === "forbidden"), null, { timeout: 10_000 });
    // Reloaded: a new page load, its document rebuilt from the server only.
    const reloaded = editors[2];
    await reloaded.reload();
    await reloaded.waitForFunction(() => window.sb !== undefined);
    await reloaded.evaluate(open_document, { url: d.url, token: d.token("c"), doc: "five", name: "c" });
    assert.equal(await reloaded.evaluate(() => window.text()), text);
    for (const p of editors) assert.equal(await p.evaluate(() => window.text()), text);
  });

  test("a server restart loses nothing", async (t) => {
    if (!browser) return t.skip("no chromium on this machine");
    const [a] = await team(t, "reload", []);
    await a.keyboard.type("kept across a restart");
    // Stored before it is relayed: once another reader sees it, the log has it.
    const watcher = await editor(t, "reload", "wanda");
    await watcher.waitForFunction(() => window.text() === "kept across a restart", null, { timeout: 10_000 });
    await d.restart();
    const later = await editor(t, "reload", "wanda");
    assert.equal(await later.evaluate(() => window.text()), "kept across a restart");
  });

  test("the awareness of a closed tab disappears for the others", async (t) => {
    if (!browser) return t.skip("no chromium on this machine");
    const [owner, bob] = await team(t, "tabs", ["bob"]);
    await owner.waitForFunction(() => window.peers().join() === "bob,owner", null, { timeout: 10_000 });
    await bob.close_all();
    await owner.waitForFunction(() => window.peers().join() === "owner", null, { timeout: 10_000 });
  });
});

describe("collab in headless Chromium on two nodes over Redis", { skip: !redis_available() && "no Redis" }, () => {
  let pair;
  let browser;
  let pages;
  before(async () => {
    browser = await launch_browser();
    if (!browser) return;
    pages = await start_static_server();
    pair = await start_node_pair({
      database: "postgresql",
      namespaces: [{ name: "/" }, { name: "/yjs|nodes" }],
      plugins: [{ name: "collab" }],
      extra: { cors: { origins: ["*"] } },
    });
  });
  after(async () => {
    await browser?.close();
    pages?.close();
    await pair?.stop();
  });

  test("pages on two nodes typing at once converge and see each other; a page opened later on either node has it all", async (t) => {
    if (!browser) return t.skip("no chromium on this machine");
    const owner = await open_editor(t, browser, pages, pair.a, "nodes", "owner");
    const [error] = await ask(pair.a, "owner", "collab:grant", { doc: "nodes", user: "bob", role: "editor" });
    assert.equal(error, null, JSON.stringify(error));
    const bob = await open_editor(t, browser, pages, pair.b, "nodes", "bob");
    const typed = ["typed through node a. ", "and through node b. "];
    await Promise.all([owner.keyboard.type(typed[0]), bob.keyboard.type(typed[1])]);
    const text = await converge([owner, bob], typed.join("").length);
    assert.equal(letters(text), letters(typed.join("")));
    for (const page of [owner, bob])
      await page.waitForFunction(() => window.peers().join() === "bob,owner", null, { timeout: 10_000 });
    for (const node of [pair.a, pair.b]) {
      const late = await open_editor(t, browser, pages, node, "nodes", "lea");
      assert.equal(await late.evaluate(() => window.text()), text);
      await late.close_all();
    }
    // The closed tab on b disappears for the page on a.
    await bob.close_all();
    await owner.waitForFunction(() => window.peers().join() === "owner", null, { timeout: 10_000 });
  });
});
