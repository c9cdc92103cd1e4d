// The chat plugin with real socket.io-client users, on SQLite and PostgreSQL: public
// and private rooms, direct conversations, messages, history, edits, deletions,
// reactions, read receipts, and every permission refusal between them.
//
// Acks follow Node's callback convention: [null, result] or [{code, message}].
// Limits, bad payloads and config live in chat-limits.spec.mjs, typing in
// chat-typing.spec.mjs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, DEFAULT_TIMEOUT_MS } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };
const POLLING = { name: "polling", options: { transports: ["polling"] } };

// Resolves with every argument of the ack.
function call(client, event, ...payload) {
  return new Promise((resolve, reject) => {
    client.socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, ...payload, (timeout, ...args) => {
      if (timeout) reject(new Error(`${client.label}: no ack for "${event}"`));
      else resolve(args);
    });
  });
}

async function ok(client, event, payload) {
  const args = await call(client, event, payload);
  assert.equal(args[0], null, `${client.label} ${event} ${JSON.stringify(payload)}: ${JSON.stringify(args[0])}`);
  assert.equal(args.length, 2, `${event}: the ack is [null, result]`);
  return args[1];
}

async function refused(client, event, payload, code) {
  const args = await call(client, event, payload);
  assert.equal(args.length, 1, `${client.label} ${event} should fail with ${code}, got ${JSON.stringify(args)}`);
  assert.equal(args[0].code, code, `${client.label} ${event}: ${JSON.stringify(args[0])}`);
  assert.equal(typeof args[0].message, "string");
  return args[0];
}

// Proves an event did NOT arrive without sleeping: the server queues a broadcast to
// every socket before it answers the ack of the event that caused it, and a later
// ack to a socket queues behind it. So once each client got an answer of its own,
// whatever was broadcast before has reached it.
async function settled(clients) {
  await Promise.all(clients.map((c) => ok(c, "chat:rooms")));
}

function texts(messages) {
  return messages.map((m) => m.text);
}

for (const database of databases()) {
  describe(`chat on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [{ name: "chat", config: { history_limit: 5, rate_limit_messages: 1000 } }],
      });
    });
    after(() => d?.stop());

    const connect = (clients, user, label = user, mode = WEBSOCKET) =>
      clients.connect(mode, { auth: { token: d.token(user) }, label });

    test("a public room: create, join with members and history, messages to every joined socket", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice", "alice phone");
      const alice2 = await connect(clients, "alice", "alice laptop", POLLING);
      const bob = await connect(clients, "bob");
      const carol = await connect(clients, "carol");

      const created = await ok(alice, "chat:create", { name: "Lobby" });
      const room = created.room.id;
      assert.equal(typeof room, "number");
      assert.deepEqual(
        { ...created.room, id: 0, createdAt: 0 },
        { id: 0, kind: "public", name: "Lobby", owner: "alice", createdAt: 0 },
      );
      assert.deepEqual(created.members.map((m) => [m.user, m.role]), [["alice", "owner"]]);

      const first = await ok(alice, "chat:join", { room });
      assert.equal(first.room.id, room);
      assert.deepEqual(first.messages, []);
      assert.equal(first.hasMore, false);
      await ok(alice2, "chat:join", { room });
      const joined = await ok(bob, "chat:join", { room });
      assert.deepEqual(joined.members.map((m) => m.user).sort(), ["alice", "bob"]);
      // Joining a public room makes bob a member, and the room hears of it.
      const [added] = await alice.inbox.next("chat:member_added");
      assert.deepEqual(added, { room, user: "bob", by: "bob" });

      const sent = await ok(alice, "chat:send", { room, text: "hello, lobby" });
      assert.equal(typeof sent.id, "number");
      assert.equal(typeof sent.createdAt, "number");
      assert.ok(Math.abs(sent.createdAt - Date.now()) < 60_000, "createdAt is Unix milliseconds");
      for (const receiver of [alice2, bob]) {
        const [message] = await receiver.inbox.next("chat:message");
        assert.deepEqual(message, {
          id: sent.id,
          room,
          user: "alice",
          text: "hello, lobby",
          createdAt: sent.createdAt,
          editedAt: null,
          reactions: {},
        });
      }
      await settled([alice, carol]);
      assert.equal(alice.inbox.all("chat:message").length, 0, "the sender's own socket has the ack, not the broadcast");
      assert.equal(carol.inbox.all("chat:message").length, 0, "a socket that did not join hears nothing");

      // A late joiner gets the latest messages and everyone in the room.
      const late = await ok(carol, "chat:join", { room });
      assert.deepEqual(texts(late.messages).slice(0, 1), ["hello, lobby"]);
      assert.deepEqual(late.members.map((m) => m.user).sort(), ["alice", "bob", "carol"]);

      const listed = await ok(carol, "chat:rooms");
      const entry = listed.rooms.find((r) => r.id === room);
      assert.equal(entry.role, "member");
      assert.equal(entry.kind, "public");
    });

    test("history pages backwards by message id; chat:join returns the latest page", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const { room } = await ok(alice, "chat:create", { name: "History" });
      const ids = [];
      for (let i = 1; i <= 7; ++i) ids.push((await ok(alice, "chat:send", { room: room.id, text: `m${i}` })).id);
      assert.deepEqual([...ids].sort((a, b) => a - b), ids, "ids grow");

      const joined = await ok(alice, "chat:join", { room: room.id });
      assert.deepEqual(texts(joined.messages), ["m3", "m4", "m5", "m6", "m7"], "history_limit 5, oldest first");
      assert.equal(joined.hasMore, true);

      const page1 = await ok(alice, "chat:history", { room: room.id, limit: 3 });
      assert.deepEqual(texts(page1.messages), ["m5", "m6", "m7"]);
      assert.equal(page1.hasMore, true);
      const page2 = await ok(alice, "chat:history", { room: room.id, before: page1.messages[0].id, limit: 3 });
      assert.deepEqual(texts(page2.messages), ["m2", "m3", "m4"]);
      assert.equal(page2.hasMore, true);
      const page3 = await ok(alice, "chat:history", { room: room.id, before: page2.messages[0].id, limit: 3 });
      assert.deepEqual(texts(page3.messages), ["m1"]);
      assert.equal(page3.hasMore, false);
      const rest = await ok(alice, "chat:history", { room: room.id, before: ids[0] });
      assert.deepEqual(rest.messages, []);
    });

    test("a private room: only members join, read or send; the owner invites and removes", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const bob = await connect(clients, "bob");
      const carol = await connect(clients, "carol");
      const dave = await connect(clients, "dave");

      const created = await ok(alice, "chat:create", { name: "Secret", private: true, members: ["bob"] });
      const room = created.room.id;
      assert.equal(created.room.kind, "private");
      assert.deepEqual(created.members.map((m) => [m.user, m.role]).sort(), [["alice", "owner"], ["bob", "member"]]);
      const [invited] = await bob.inbox.next("chat:invited");
      assert.equal(invited.room.id, room);
      assert.equal(invited.by, "alice");

      await ok(alice, "chat:join", { room });
      await ok(bob, "chat:join", { room });
      const secret = await ok(alice, "chat:send", { room, text: "members only" });

      // A non-member can do nothing with the room.
      await refused(carol, "chat:join", { room }, "forbidden");
      await refused(carol, "chat:send", { room, text: "let me in" }, "forbidden");
      await refused(carol, "chat:history", { room }, "forbidden");
      await refused(carol, "chat:read", { room, message: secret.id }, "forbidden");
      await refused(carol, "chat:react", { message: secret.id, emoji: "👀" }, "forbidden");
      await refused(carol, "typing:start", { room }, "forbidden");
      await refused(carol, "chat:invite", { room, user: "carol" }, "forbidden");
      assert.equal((await ok(carol, "chat:rooms")).rooms.some((r) => r.id === room), false, "not listed to outsiders");
      // A member is not the owner.
      await refused(bob, "chat:invite", { room, user: "dave" }, "forbidden");
      await refused(bob, "chat:remove", { room, user: "alice" }, "forbidden");

      // The owner invites: carol's devices hear it, the room too.
      const invite = await ok(alice, "chat:invite", { room, user: "carol" });
      assert.deepEqual(invite, { room, user: "carol", added: true });
      assert.equal((await carol.inbox.next("chat:invited"))[0].room.id, room);
      assert.deepEqual((await bob.inbox.next("chat:member_added"))[0], { room, user: "carol", by: "alice" });
      assert.equal((await ok(alice, "chat:invite", { room, user: "carol" })).added, false, "inviting twice is harmless");

      const entered = await ok(carol, "chat:join", { room });
      assert.deepEqual(texts(entered.messages), ["members only"]);
      await ok(carol, "chat:send", { room, text: "thanks" });
      await bob.inbox.next("chat:message", { where: ([m]) => m.text === "thanks" });

      // The owner removes carol: her sockets leave the room at once.
      assert.deepEqual(await ok(alice, "chat:remove", { room, user: "carol" }), { room, user: "carol" });
      assert.deepEqual((await carol.inbox.next("chat:removed"))[0], { room, by: "alice" });
      assert.deepEqual((await bob.inbox.next("chat:member_removed"))[0], { room, user: "carol", by: "alice" });
      await ok(alice, "chat:send", { room, text: "after carol" });
      await bob.inbox.next("chat:message", { where: ([m]) => m.text === "after carol" });
      await refused(carol, "chat:send", { room, text: "still here?" }, "forbidden");
      await refused(carol, "chat:join", { room }, "forbidden");
      assert.equal(carol.inbox.all("chat:message").some(([m]) => m.text === "after carol"), false);
      await refused(alice, "chat:remove", { room, user: "carol" }, "not_found");

      // A member may leave for good; the owner may not.
      await ok(bob, "chat:remove", { room, user: "bob" });
      await refused(bob, "chat:history", { room }, "forbidden");
      await refused(alice, "chat:remove", { room, user: "alice" }, "forbidden");
      // Invitations and removals are for private rooms.
      const lobby = (await ok(alice, "chat:create", { name: "Open" })).room.id;
      await refused(alice, "chat:invite", { room: lobby, user: "dave" }, "forbidden");
      await refused(alice, "chat:remove", { room: lobby, user: "dave" }, "forbidden");
      await refused(dave, "chat:join", { room: 987654321 }, "not_found");
    });

    test("a direct conversation: one room per pair, idempotent, closed to others", async (t) => {
      const clients = new Clients(t, d);
      const erin = await connect(clients, "erin");
      const frank = await connect(clients, "frank");
      const mallory = await connect(clients, "mallory");

      const opened = await ok(erin, "chat:direct", { user: "frank" });
      assert.equal(opened.created, true);
      assert.equal(opened.room.kind, "direct");
      assert.equal(opened.room.name, null);
      assert.deepEqual(opened.room.users, ["erin", "frank"]);
      const room = opened.room.id;
      assert.equal((await frank.inbox.next("chat:invited"))[0].room.id, room, "the peer learns of it");

      const again = await ok(erin, "chat:direct", { user: "frank" });
      assert.deepEqual([again.room.id, again.created], [room, false]);
      const other_side = await ok(frank, "chat:direct", { user: "erin" });
      assert.deepEqual([other_side.room.id, other_side.created], [room, false]);
      // Two first calls at once still make one room.
      const [x, y] = await Promise.all([
        ok(erin, "chat:direct", { user: "grace" }),
        ok(erin, "chat:direct", { user: "grace" }),
      ]);
      assert.equal(x.room.id, y.room.id);
      assert.equal([x.created, y.created].filter(Boolean).length, 1);

      await refused(erin, "chat:direct", { user: "erin" }, "invalid_payload");
      await refused(mallory, "chat:join", { room }, "forbidden");
      await refused(erin, "chat:invite", { room, user: "mallory" }, "forbidden");

      await ok(erin, "chat:join", { room });
      await ok(frank, "chat:join", { room });
      await ok(erin, "chat:send", { room, text: "just us" });
      assert.equal((await frank.inbox.next("chat:message"))[0].text, "just us");
      const listed = await ok(frank, "chat:rooms");
      assert.ok(listed.rooms.some((r) => r.id === room && r.kind === "direct"));
    });

    test("edits and deletions: by the author only, broadcast to the room", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const bob = await connect(clients, "bob");
      const { room } = await ok(alice, "chat:create", { name: "Edits" });
      await ok(alice, "chat:join", { room: room.id });
      await ok(bob, "chat:join", { room: room.id });
      const { id } = await ok(alice, "chat:send", { room: room.id, text: "teh typo" });
      const bobs = await ok(bob, "chat:send", { room: room.id, text: "bob's own" });

      await refused(bob, "chat:edit", { message: id, text: "hijacked" }, "forbidden");
      await refused(bob, "chat:delete", { message: id }, "forbidden");
      await refused(alice, "chat:edit", { message: bobs.id, text: "mine now" }, "forbidden");
      await refused(alice, "chat:edit", { message: 987654321, text: "nothing" }, "not_found");

      const edited = await ok(alice, "chat:edit", { message: id, text: "the typo, fixed" });
      assert.equal(edited.text, "the typo, fixed");
      assert.equal(typeof edited.editedAt, "number");
      assert.deepEqual((await bob.inbox.next("chat:edited"))[0], edited);
      const after_edit = await ok(bob, "chat:history", { room: room.id });
      const stored = after_edit.messages.find((m) => m.id === id);
      assert.equal(stored.text, "the typo, fixed");
      assert.equal(stored.editedAt, edited.editedAt);

      assert.deepEqual(await ok(alice, "chat:delete", { message: id }), { id, room: room.id });
      assert.deepEqual((await bob.inbox.next("chat:deleted"))[0], { id, room: room.id });
      const after_delete = await ok(bob, "chat:history", { room: room.id });
      assert.deepEqual(texts(after_delete.messages), ["bob's own"]);
      await refused(alice, "chat:edit", { message: id, text: "undelete" }, "not_found");
      await refused(alice, "chat:delete", { message: id }, "not_found");
      await refused(bob, "chat:react", { message: id, emoji: "👍" }, "not_found");
    });

    test("reactions toggle per user and broadcast the new counts", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const bob = await connect(clients, "bob");
      const { room } = await ok(alice, "chat:create", { name: "Reactions" });
      await ok(alice, "chat:join", { room: room.id });
      await ok(bob, "chat:join", { room: room.id });
      const { id } = await ok(alice, "chat:send", { room: room.id, text: "react to me" });

      const mine = await ok(alice, "chat:react", { message: id, emoji: "👍" });
      assert.deepEqual(mine, { room: room.id, message: id, user: "alice", emoji: "👍", reacted: true, reactions: { "👍": 1 } });
      assert.deepEqual((await bob.inbox.next("chat:reaction"))[0], mine);
      const bobs = await ok(bob, "chat:react", { message: id, emoji: "👍" });
      assert.deepEqual(bobs.reactions, { "👍": 2 });
      await ok(bob, "chat:react", { message: id, emoji: ":tada:" });
      assert.deepEqual((await alice.inbox.next("chat:reaction", { where: ([r]) => r.emoji === ":tada:" }))[0].reactions,
        { "👍": 2, ":tada:": 1 });

      const undone = await ok(alice, "chat:react", { message: id, emoji: "👍" });
      assert.equal(undone.reacted, false);
      assert.deepEqual(undone.reactions, { "👍": 1, ":tada:": 1 });
      const [seen] = await bob.inbox.next("chat:reaction", { where: ([r]) => r.user === "alice" && !r.reacted });
      assert.deepEqual(seen.reactions, { "👍": 1, ":tada:": 1 });

      const { messages } = await ok(alice, "chat:history", { room: room.id });
      assert.deepEqual(messages.find((m) => m.id === id).reactions, { "👍": 1, ":tada:": 1 });
      await refused(alice, "chat:react", { message: id, emoji: "" }, "invalid_payload");
      await refused(alice, "chat:react", { message: id, emoji: "two words" }, "invalid_payload");
      await refused(alice, "chat:react", { message: id }, "invalid_payload");
    });

    test("read receipts move forward only, tell the room, and come with chat:join", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const bob = await connect(clients, "bob");
      const { room } = await ok(alice, "chat:create", { name: "Receipts" });
      const other = (await ok(alice, "chat:create", { name: "Elsewhere" })).room.id;
      await ok(alice, "chat:join", { room: room.id });
      await ok(bob, "chat:join", { room: room.id });
      const m1 = await ok(alice, "chat:send", { room: room.id, text: "one" });
      const m2 = await ok(alice, "chat:send", { room: room.id, text: "two" });
      const foreign = await ok(alice, "chat:send", { room: other, text: "not in this room" });

      const receipt = await ok(bob, "chat:read", { room: room.id, message: m2.id });
      assert.equal(receipt.message, m2.id);
      assert.equal(receipt.user, "bob");
      assert.equal(typeof receipt.readAt, "number");
      assert.deepEqual((await alice.inbox.next("chat:read"))[0], receipt);

      const back = await ok(bob, "chat:read", { room: room.id, message: m1.id });
      assert.equal(back.message, m2.id, "a read mark never moves back");
      // A message of another room cannot become this room's read mark.
      await refused(bob, "chat:read", { room: room.id, message: foreign.id }, "not_found");
      await refused(bob, "chat:read", { room: room.id, message: 987654321 }, "not_found");
      await settled([alice]);
      assert.equal(alice.inbox.all("chat:read").length, 1, "no broadcast when nothing moved");

      const joined = await ok(alice, "chat:join", { room: room.id });
      assert.deepEqual(joined.reads.map((r) => [r.user, r.message]), [["bob", m2.id]]);
    });

    test("rooms stay apart: nothing sent to one room reaches or changes another", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const bob = await connect(clients, "bob");
      const a = (await ok(alice, "chat:create", { name: "A" })).room.id;
      const b = (await ok(alice, "chat:create", { name: "B" })).room.id;
      await ok(alice, "chat:join", { room: a });
      await ok(bob, "chat:join", { room: b });
      await ok(alice, "chat:send", { room: a, text: "for A" });
      await ok(alice, "chat:send", { room: b, text: "for B" });
      const [got] = await bob.inbox.next("chat:message");
      assert.equal(got.text, "for B");
      assert.equal(bob.inbox.all("chat:message").length, 1);
      assert.deepEqual(texts((await ok(bob, "chat:history", { room: b })).messages), ["for B"]);
      assert.deepEqual(texts((await ok(alice, "chat:history", { room: a })).messages), ["for A"]);
    });

    test("chat:leave stops delivery to that socket only", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      const bob = await connect(clients, "bob", "bob phone");
      const bob2 = await connect(clients, "bob", "bob laptop");
      const { room } = await ok(alice, "chat:create", { name: "Leaving" });
      for (const c of [alice, bob, bob2]) await ok(c, "chat:join", { room: room.id });
      assert.deepEqual(await ok(bob, "chat:leave", { room: room.id }), { room: room.id });
      await ok(alice, "chat:send", { room: room.id, text: "who is here?" });
      await bob2.inbox.next("chat:message");
      await settled([bob]);
      assert.equal(bob.inbox.all("chat:message").length, 0);
      // Leaving is about the socket: bob is still a member and may come back.
      await ok(bob, "chat:send", { room: room.id, text: "still a member" });
      const back = await ok(bob, "chat:join", { room: room.id });
      assert.ok(texts(back.messages).includes("who is here?"));
    });

    test("a failed event sent without an ack callback answers with chat:error", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "alice");
      alice.socket.emit("chat:send", { room: 987654321, text: "nobody home" });
      const [error] = await alice.inbox.next("chat:error");
      assert.deepEqual({ ...error, message: "" }, { event: "chat:send", code: "not_found", message: "" });
    });
  });
}
