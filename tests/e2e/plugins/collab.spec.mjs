// The collab plugin with the real clients a browser editor uses: `yjs` 13.6 documents
// synchronized through the `y-socket.io` 1.1 provider, unchanged, on SQLite and
// PostgreSQL. Two and five editors typing character by character converge; a reader's
// changes are refused and kept by nobody; a late joiner, a client that edited offline
// and a server restart all end on the same text; a closed client's awareness goes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";

import { DEFAULT_TIMEOUT_MS, Inbox, once, with_timeout } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { close_editor, open_editor } from "./collab_editors.mjs";
import { db_number, metric } from "./social_helpers.mjs";

// Documents are namespaces the deployment lists (see the plugin's README).
const DOCUMENTS = ["two", "five", "readonly", "late", "offline", "restart", "awareness", "grant", "bad", "compact", "editing"];
// Low, so that the five-editor test compacts while everyone types, too.
const COMPACT_AFTER = 25;

// Resolves when `predicate()` holds, checked after every change of the documents.
function until(docs, predicate, what) {
  return with_timeout(
    new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        for (const d of docs) d.ydoc.off("update", check);
        resolve();
      };
      for (const d of docs) d.ydoc.on("update", check);
      check();
    }),
    DEFAULT_TIMEOUT_MS * 4,
    what,
  );
}

const converged = (clients, length) => () =>
  clients.every((c) => c.text.toString() === clients[0].text.toString() && c.text.length === length);

// Types `word` one character per transaction (a keystroke each) at random places.
function type(client, word) {
  for (const ch of word) client.text.insert(Math.floor(Math.random() * (client.text.length + 1)), ch);
}

// Resolves when `predicate()` holds, checked after every awareness change of `client`.
function awareness_until(client, predicate, what) {
  const awareness = client.provider.awareness;
  return with_timeout(
    new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        awareness.off("change", check);
        resolve();
      };
      awareness.on("change", check);
      check();
    }),
    DEFAULT_TIMEOUT_MS * 2,
    what,
  );
}

// A plain event on "/" (roles), answered [error, result].
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

for (const database of databases()) {
  describe(`collab on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        namespaces: [{ name: "/" }, ...DOCUMENTS.map((doc) => ({ name: `/yjs|${doc}-${database}` }))],
        plugins: [{ name: "collab", config: { compact_after: COMPACT_AFTER, editing_timeout: 1500 } }],
      });
    });
    after(() => d?.stop());
    const name = (doc) => `${doc}-${database}`;

    // The owner opens first (and so owns it), then makes `editors` editors.
    async function team(t, doc, editors) {
      const owner = await open_editor(t, d, "owner", name(doc));
      for (const user of editors) {
        const [error, result] = await ask(d, "owner", "collab:grant", { doc: name(doc), user, role: "editor" });
        assert.equal(error, null, JSON.stringify(error));
        assert.deepEqual(result, { doc: name(doc), user, role: "editor" });
      }
      const others = [];
      for (const user of editors) others.push(await open_editor(t, d, user, name(doc)));
      return [owner, ...others];
    }

    test("two editors typing keystroke by keystroke converge", async (t) => {
      const clients = await team(t, "two", ["bob"]);
      type(clients[0], "hello from the owner");
      type(clients[1], "and bob types at the same time");
      await until(clients, converged(clients, 50), "two editors converging");
    });

    test("five editors converge, and a late joiner gets the same text", async (t) => {
      const clients = await team(t, "five", ["b", "c", "d", "e"]);
      const words = ["alpha ", "bravo ", "charlie ", "delta ", "echo "];
      for (let round = 0; round < 3; round++) clients.forEach((c, i) => type(c, words[i]));
      const total = 3 * words.join("").length;
      await until(clients, converged(clients, total), "five editors converging");
      const late = await open_editor(t, d, "zed", name("five"));
      assert.equal(late.text.toString(), clients[0].text.toString());
    });

    test("a reader cannot change the document: refused, relayed to nobody, stored nowhere", async (t) => {
      const [owner] = await team(t, "readonly", []);
      const reader = await open_editor(t, d, "rita", name("readonly"));
      owner.text.insert(0, "owner's text");
      await until([reader], () => reader.text.toString() === "owner's text", "the reader seeing the owner's text");
      const refused = once(reader.provider.socket, "collab:error", { what: "the reader's refusal" });
      reader.text.insert(0, "VANDAL ");
      const [error] = await refused;
      assert.deepEqual(error.code, "forbidden");
      assert.equal(error.event, "sync-update");
      const late = await open_editor(t, d, "vic", name("readonly"));
      assert.equal(late.text.toString(), "owner's text");
      assert.equal(owner.text.toString(), "owner's text");
      const [, role] = await ask(d, "rita", "collab:role", { doc: name("readonly") });
      assert.deepEqual(role, { doc: name("readonly"), owner: "owner", role: "reader" });
    });

    test("a client that edited while disconnected gets its changes in when it reconnects", async (t) => {
      const [owner, bob] = await team(t, "offline", ["bob"]);
      owner.text.insert(0, "online.");
      await until([bob], () => bob.text.toString() === "online.", "bob seeing the first edit");
      bob.provider.socket.disconnect();
      bob.text.insert(bob.text.length, " offline.");
      owner.text.insert(0, ">");
      const resynced = once(bob.provider, "sync", { what: "bob resyncing" });
      bob.provider.connect();
      await resynced;
      await until([owner, bob], converged([owner, bob], 17), "both ending on the same text");
      assert.equal(owner.text.toString(), ">online. offline.");
    });

    test("a server restart loses nothing", async (t) => {
      const clients = await team(t, "restart", ["bob"]);
      type(clients[0], "persisted ");
      type(clients[1], "text");
      await until(clients, converged(clients, 14), "converging before the restart");
      const before_restart = clients[0].text.toString();
      for (const c of clients) close_editor(c.provider);
      await d.restart();
      const after_restart = await open_editor(t, d, "owner", name("restart"));
      assert.equal(after_restart.text.toString(), before_restart);
    });

    test("compaction: a writer's full state replaces the log, and nothing typed meanwhile is lost", async (t) => {
      const [owner, bob] = await team(t, "compact", ["bob"]);
      const rows = () => db_number(d, `SELECT COUNT(*) FROM collab_updates WHERE document = '${name("compact")}'`);
      const compactions = await metric(d, "switchboard_plugin_collab_compactions");
      // Both type keystroke by keystroke, past the threshold several times over.
      for (let i = 0; i < 4; i++) {
        type(owner, "0123456789");
        type(bob, "abcdefghij");
        await until([owner, bob], converged([owner, bob], 20 * (i + 1)), `round ${i} converging`);
      }
      const text = owner.text.toString();
      assert.ok((await metric(d, "switchboard_plugin_collab_compactions")) > compactions, "compacted at least once");
      const held = await rows();
      assert.ok(held < 80, `the log holds ${held} rows for 80 keystrokes`);
      const late = await open_editor(t, d, "zoe", name("compact"));
      assert.equal(late.text.toString(), text);
      await d.restart();
      const after_restart = await open_editor(t, d, "zoe", name("compact"));
      assert.equal(after_restart.text.toString(), text);
    });

    test("editing indicators for clients without Yjs: start, stop, timeout, disconnect; not for readers", async (t) => {
      await team(t, "editing", ["bob"]);
      const plain = async (user) => {
        const socket = io(`${d.url}/yjs|${name("editing")}`, {
          forceNew: true, transports: ["websocket"], auth: { token: d.token(user) },
        });
        t.after(() => socket.disconnect());
        const client = { socket, inbox: new Inbox(socket, user) };
        await once(socket, "connect", { fail_on: ["connect_error"] });
        return client;
      };
      const call = (client, event) => new Promise((resolve) => client.socket.emit(event, {}, (...a) => resolve(a)));
      const owner = await plain("owner");
      const bob = await plain("bob");
      const bob2 = await plain("bob");
      const carol = await plain("carol");
      assert.deepEqual(await call(bob, "editing:start"), [null, { user: "bob" }]);
      assert.deepEqual((await owner.inbox.next("editing:start"))[0], { user: "bob" });
      assert.deepEqual(await call(bob, "editing:stop"), [null, { user: "bob" }]);
      assert.deepEqual((await owner.inbox.next("editing:stop"))[0], { user: "bob", reason: "stopped" });
      const [refused] = await call(carol, "editing:start");
      assert.equal(refused.code, "forbidden");
      // Without a new editing:start, the editor is cleared after editing_timeout.
      await call(owner, "editing:start");
      assert.deepEqual((await bob2.inbox.next("editing:start"))[0], { user: "owner" });
      assert.deepEqual((await bob2.inbox.next("editing:stop"))[0], { user: "owner", reason: "timeout" });
      assert.equal(bob2.inbox.all("editing:start").length, 1, "bob's own start never reached his other device");
      // Sent back to back: the server handles them in order, long before the timeout.
      bob.socket.emit("editing:start", {});
      bob.socket.disconnect();
      await owner.inbox.next("editing:start");
      assert.deepEqual((await owner.inbox.next("editing:stop"))[0], { user: "bob", reason: "disconnected" });
    });

    test("awareness reaches the others and a joiner; a closed client's disappears", async (t) => {
      const [owner, bob] = await team(t, "awareness", ["bob"]);
      const id = owner.ydoc.clientID;
      owner.provider.awareness.setLocalStateField("user", { name: "Owner", color: "#f00" });
      await awareness_until(bob, () => bob.provider.awareness.getStates().get(id)?.user?.name === "Owner",
        "bob seeing the owner's cursor");
      const carol = await open_editor(t, d, "carol", name("awareness"));
      await awareness_until(carol, () => carol.provider.awareness.getStates().get(id)?.user?.name === "Owner",
        "a joiner seeing the owner's cursor");
      // The tab closes without a word: the server removes its states.
      owner.provider.socket.io.engine.close();
      await awareness_until(bob, () => !bob.provider.awareness.getStates().has(id), "bob losing the owner's cursor");
      await awareness_until(carol, () => !carol.provider.awareness.getStates().has(id), "carol losing it too");
    });

    test("bad input is answered with collab:error, role changes only by the owner", async (t) => {
      await team(t, "bad", []);
      const socket = io(`${d.url}/yjs|${name("bad")}`, {
        forceNew: true, transports: ["websocket"], auth: { token: d.token("owner") },
      });
      t.after(() => socket.disconnect());
      await once(socket, "connect", { fail_on: ["connect_error"] });
      const next_error = () => once(socket, "collab:error", { what: "collab:error" });
      let error = next_error();
      socket.emit("sync-update", Buffer.from([1, 2, 3]));
      assert.deepEqual((await error)[0], { event: "sync-update", code: "invalid_payload", message: "not a Yjs v1 update" });
      error = next_error();
      socket.emit("sync-update", "text, not bytes");
      assert.equal((await error)[0].code, "invalid_payload");
      error = next_error();
      socket.emit("awareness-update", Buffer.from([5]));
      assert.equal((await error)[0].code, "invalid_payload");
      const [forbidden] = await ask(d, "mallory", "collab:grant", { doc: name("bad"), user: "mallory", role: "editor" });
      assert.equal(forbidden.code, "forbidden");
      const [missing] = await ask(d, "owner", "collab:grant", { doc: "no-such-doc", user: "bob", role: "editor" });
      assert.equal(missing.code, "not_found");
      const [invalid] = await ask(d, "owner", "collab:grant", { doc: name("bad"), user: "bob", role: "admin" });
      assert.equal(invalid.code, "invalid_payload");
    });
  });
}
