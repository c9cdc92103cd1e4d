// Typing indicators of the chat plugin, on SQLite and PostgreSQL (joining a room
// checks membership in the database; typing itself never touches it): relayed to
// the room's other members, and cleared by typing:stop, by 5 s without a new
// typing:start, by chat:leave and by a disconnect.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, DEFAULT_TIMEOUT_MS } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };

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
  assert.equal(args[0], null, `${client.label} ${event}: ${JSON.stringify(args[0])}`);
  return args[1];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

for (const database of databases()) {
  describe(`chat typing on ${database}`, () => {
    let d;
    before(async () => {
      // The default typing_timeout (5 s) on purpose: the auto-clear test proves it.
      d = await start_deployment({ database, plugins: [{ name: "chat" }] });
    });
    after(() => d?.stop());

    // alice (two devices) and bob in a fresh room, all joined.
    async function typing_room(t) {
      const clients = new Clients(t, d);
      const connect = (user, label) => clients.connect(WEBSOCKET, { auth: { token: d.token(user) }, label });
      const alice = await connect("alice", "alice phone");
      const alice2 = await connect("alice", "alice laptop");
      const bob = await connect("bob", "bob");
      const { room } = await ok(alice, "chat:create", { name: "Typing" });
      for (const c of [alice, alice2, bob]) await ok(c, "chat:join", { room: room.id });
      return { clients, connect, alice, alice2, bob, room: room.id };
    }

    test("typing:start and typing:stop reach the room's other members, not the typist's devices", async (t) => {
      const { alice, alice2, bob, room } = await typing_room(t);
      assert.deepEqual(await ok(alice, "typing:start", { room }), { room });
      assert.deepEqual((await bob.inbox.next("typing:start"))[0], { room, user: "alice" });
      // Renewing is silent: the room heard the start once.
      await ok(alice, "typing:start", { room });
      assert.deepEqual(await ok(alice, "typing:stop", { room }), { room });
      assert.deepEqual((await bob.inbox.next("typing:stop"))[0], { room, user: "alice" });
      await sleep(150);
      assert.equal(bob.inbox.all("typing:start").length, 1);
      assert.equal(alice.inbox.all("typing:start").length + alice2.inbox.all("typing:start").length, 0);
      // A stop without a start says nothing.
      await ok(bob, "typing:stop", { room });
      // Without an ack callback the relay works all the same.
      bob.socket.emit("typing:start", { room });
      assert.deepEqual((await alice2.inbox.next("typing:start"))[0], { room, user: "bob" });
    });

    test("a socket that did not join the room cannot type in it", async (t) => {
      const { connect, bob, room } = await typing_room(t);
      const carol = await connect("carol", "carol");
      const [error] = await call(carol, "typing:start", { room });
      assert.equal(error.code, "forbidden");
      carol.socket.emit("typing:start", { room });
      assert.equal((await carol.inbox.next("chat:error"))[0].code, "forbidden");
      await sleep(150);
      assert.equal(bob.inbox.all("typing:start").length, 0);
    });

    test("a typist is cleared after 5 s without a new typing:start", async (t) => {
      const { alice, bob, room } = await typing_room(t);
      await ok(alice, "typing:start", { room });
      await bob.inbox.next("typing:start");
      const started = Date.now();
      const [stop] = await bob.inbox.next("typing:stop", { timeout: 8000 });
      const waited = Date.now() - started;
      assert.deepEqual(stop, { room, user: "alice" });
      assert.ok(waited >= 4500 && waited < 7000, `cleared after ${waited} ms`);
    });

    test("a typist is cleared when that socket leaves the room", async (t) => {
      const { alice, bob, room } = await typing_room(t);
      await ok(alice, "typing:start", { room });
      await bob.inbox.next("typing:start");
      await ok(alice, "chat:leave", { room });
      assert.deepEqual((await bob.inbox.next("typing:stop", { timeout: 2000 }))[0], { room, user: "alice" });
      const [error] = await call(alice, "typing:start", { room });
      assert.equal(error.code, "forbidden", "after leaving, typing there is refused");
    });

    test("a typist is cleared when that socket disconnects", async (t) => {
      const { alice, bob, room } = await typing_room(t);
      await ok(alice, "typing:start", { room });
      await bob.inbox.next("typing:start");
      alice.socket.disconnect();
      assert.deepEqual((await bob.inbox.next("typing:stop", { timeout: 2000 }))[0], { room, user: "alice" });
    });

    test("a typist removed from a private room is cleared", async (t) => {
      const clients = new Clients(t, d);
      const connect = (user) => clients.connect(WEBSOCKET, { auth: { token: d.token(user) }, label: user });
      const owner = await connect("olga");
      const member = await connect("pete");
      const { room } = await ok(owner, "chat:create", { name: "Private typing", private: true, members: ["pete"] });
      await ok(owner, "chat:join", { room: room.id });
      await ok(member, "chat:join", { room: room.id });
      await ok(member, "typing:start", { room: room.id });
      await owner.inbox.next("typing:start");
      await ok(owner, "chat:remove", { room: room.id, user: "pete" });
      assert.deepEqual((await owner.inbox.next("typing:stop", { timeout: 2000 }))[0], { room: room.id, user: "pete" });
    });
  });
}
