// The collab plugin on two nodes over Redis sharing one PostgreSQL database, with the
// real `yjs` documents and `y-socket.io` provider on each node: editors on different
// nodes converge, a client opening the document on either node afterwards gets the
// whole text (from the other node's memory or from the log), awareness comes and goes
// across nodes, and a role given on one node holds at once for a session on the other.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";
import * as Y from "yjs";

import { DEFAULT_TIMEOUT_MS, once, with_timeout } from "../support/client.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { close_editor, open_editor } from "./collab_editors.mjs";
import { db_exec } from "./social_helpers.mjs";

const DOCUMENTS = ["two", "late", "awareness", "grant", "lost"];

// Resolves when `predicate()` holds, checked after each change of `emitters`' `event`.
function when(emitters, event, predicate, what) {
  return with_timeout(new Promise((resolve) => {
    const check = () => {
      if (!predicate()) return;
      for (const e of emitters) e.off(event, check);
      resolve();
    };
    for (const e of emitters) e.on(event, check);
    check();
  }), DEFAULT_TIMEOUT_MS * 4, what);
}
const texts_until = (clients, predicate, what) => when(clients.map((c) => c.ydoc), "update", predicate, what);
const awareness_until = (client, predicate, what) => when([client.provider.awareness], "change", predicate, what);

function type(client, word) {
  for (const ch of word) client.text.insert(Math.floor(Math.random() * (client.text.length + 1)), ch);
}

function ask(node, user, event, payload) {
  const socket = io(node.url, { forceNew: true, transports: ["websocket"], auth: { token: node.token(user) } });
  return new Promise((resolve, reject) => {
    socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, payload, (timeout, error, result) => {
      socket.disconnect();
      if (timeout) reject(timeout);
      else resolve([error, result]);
    });
  });
}

describe("collab on two nodes over Redis", { skip: !redis_available() && "no Redis" }, () => {
  let pair;
  before(async () => {
    pair = await start_node_pair({
      database: "postgresql",
      namespaces: [{ name: "/" }, ...DOCUMENTS.map((doc) => ({ name: `/yjs|${doc}` }))],
      plugins: [{ name: "collab", config: { compact_after: 20 } }],
    });
  });
  after(() => pair?.stop());

  async function grant(doc, user, role = "editor") {
    const [error, result] = await ask(pair.a, "owner", "collab:grant", { doc, user, role });
    assert.equal(error, null, JSON.stringify(error));
    return result;
  }

  test("editors on a and b converge, and late joiners on either node get the whole text", async (t) => {
    const owner = await open_editor(t, pair.a, "owner", "two");
    await grant("two", "bob");
    const bob = await open_editor(t, pair.b, "bob", "two");
    // Past compact_after: node a compacts its log meanwhile, and b keeps up.
    type(owner, "typed on node a, ");
    type(bob, "typed on node b");
    const length = "typed on node a, ".length + "typed on node b".length;
    await texts_until([owner, bob], () => owner.text.length === length && owner.text.toString() === bob.text.toString(),
      "the editors converging");
    // b has the document open: its joiner is served from b's memory, which a's updates reached.
    const on_b = await open_editor(t, pair.b, "zed", "two");
    assert.equal(on_b.text.toString(), owner.text.toString());
    const on_a = await open_editor(t, pair.a, "amy", "two");
    assert.equal(on_a.text.toString(), owner.text.toString());
    assert.deepEqual([...owner.errors, ...bob.errors], []);
  });

  test("a document edited on a only is whole for its first client on b", async (t) => {
    const owner = await open_editor(t, pair.a, "owner", "late");
    owner.text.insert(0, "written on a");
    owner.text.insert(owner.text.length, " before b opened it");
    const first = await open_editor(t, pair.b, "bob", "late");
    await texts_until([first], () => first.text.toString() === owner.text.toString(), "b's first client catching up");
    // Both now live: an edit on a reaches b's client, and b's next joiner has it all.
    owner.text.insert(0, "> ");
    await texts_until([first], () => first.text.toString() === owner.text.toString(), "the live edit reaching b");
    const second = await open_editor(t, pair.b, "carol", "late");
    assert.equal(second.text.toString(), "> written on a before b opened it");
  });

  test("awareness crosses nodes, reaches a joiner on the other node, and leaves with its client", async (t) => {
    const owner = await open_editor(t, pair.a, "owner", "awareness");
    const bob = await open_editor(t, pair.b, "bob", "awareness");
    const id = owner.ydoc.clientID;
    owner.provider.awareness.setLocalStateField("user", { name: "Owner" });
    await awareness_until(bob, () => bob.provider.awareness.getStates().get(id)?.user?.name === "Owner",
      "bob on b seeing the owner's state");
    const carol = await open_editor(t, pair.b, "carol", "awareness");
    await awareness_until(carol, () => carol.provider.awareness.getStates().get(id)?.user?.name === "Owner",
      "carol joining on b seeing it");
    bob.provider.awareness.setLocalStateField("user", { name: "Bob" });
    await awareness_until(owner, () => owner.provider.awareness.getStates().get(bob.ydoc.clientID)?.user?.name === "Bob",
      "the owner on a seeing bob's state");
    close_editor(owner.provider);
    await awareness_until(bob, () => !bob.provider.awareness.getStates().has(id), "bob losing the closed client");
    await awareness_until(carol, () => !carol.provider.awareness.getStates().has(id), "carol losing it too");
    const dave = await open_editor(t, pair.b, "dave", "awareness");
    await awareness_until(dave, () => dave.provider.awareness.getStates().get(bob.ydoc.clientID)?.user?.name === "Bob",
      "a later joiner seeing bob");
    assert.equal(dave.provider.awareness.getStates().has(id), false, "the closed client is gone for a joiner too");
  });

  test("a role given on a holds at once for a reader's session open on b", async (t) => {
    const owner = await open_editor(t, pair.a, "owner", "grant");
    owner.text.insert(0, "owner");
    // rita reads on b: an edit of hers is refused (in a copy of its own: a refused edit
    // stays in the Yjs client that made it, and its later edits would wait for it).
    const tried = await open_editor(t, pair.b, "rita", "grant");
    await texts_until([tried], () => tried.text.toString() === "owner", "rita reading");
    const refused = once(tried.provider.socket, "collab:error", { what: "the reader's refusal" });
    tried.text.insert(0, "x");
    assert.equal((await refused)[0].code, "forbidden");
    close_editor(tried.provider);
    const rita = await open_editor(t, pair.b, "rita", "grant");
    assert.equal(rita.text.toString(), "owner");
    assert.deepEqual(await grant("grant", "rita"), { doc: "grant", user: "rita", role: "editor" });
    // a's messages reach b in the order a sent them, and b relays an update to its
    // sockets when it applies it: once rita has an edit the owner made after the grant,
    // b has applied the grant too.
    owner.text.insert(owner.text.length, "!");
    await texts_until([rita], () => rita.text.toString() === "owner!", "the owner's later edit reaching rita");
    // No reconnect: rita's open session on b took the role.
    rita.text.insert(rita.text.length, " rita");
    await texts_until([owner], () => owner.text.toString() === "owner! rita", "rita's edit reaching the owner");
    assert.deepEqual(rita.errors, []);
  });

  test("an update whose word to b was lost reaches b's clients at b's next sync: the log has it", async (t) => {
    const owner = await open_editor(t, pair.a, "owner", "lost");
    owner.text.insert(0, "seen");
    const bob = await open_editor(t, pair.b, "bob", "lost");
    await texts_until([bob], () => bob.text.toString() === "seen", "bob reading");
    // An edit stored by a node whose message never reached b (Redis was away then):
    // in the log, in no node's memory.
    const writer = new Y.Doc();
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(owner.ydoc));
    let update;
    writer.on("update", (u) => { update = u; });
    writer.getText("content").insert(4, " lost");
    await db_exec(pair.a, `INSERT INTO collab_updates (document, data, user_id, created_at)
      VALUES ('lost', '${Buffer.from(update).toString("base64")}', 'owner', ${Date.now()})`);
    // b's next sync reads what the log has beyond its memory: the joiner gets it, and
    // b relays it to its clients.
    const carol = await open_editor(t, pair.b, "carol", "lost");
    assert.equal(carol.text.toString(), "seen lost");
    await texts_until([bob], () => bob.text.toString() === "seen lost", "bob getting the lost edit");
  });
});
