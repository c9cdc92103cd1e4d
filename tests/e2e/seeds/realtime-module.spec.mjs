// Seed 004, the reusable realtime module: its hook, components and backend service
// (realtime_client.mjs) against the shipped deployment examples/seeds/realtime-module/,
// on SQLite and PostgreSQL, and as two nodes over Redis. One test a row of the
// module's event tables, and the identity checks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Inbox, once, unique, until } from "../support/client.mjs";
import { REPO, databases } from "../support/deployment.mjs";
import { getSocketService, useSocket } from "./realtime_client.mjs";
import { forged, on_two_nodes, start_seed } from "./support.mjs";

test("the shipped deployment listens on 3001", () => {
  const yaml = readFileSync(path.join(REPO, "examples/seeds/realtime-module/switchboard.yaml"), "utf8");
  assert.match(yaml, /^\s*port:\s*3001\s*$/m);
});

// A user of the app on node `d`: the module's hook, and an inbox of all it hears.
async function connect(t, d, id, { token = id && d.token(id), claim = id } = {}) {
  const client = useSocket(d.url, claim, token);
  client.id = id;
  client.inbox = new Inbox(client.socket, id ?? "anonymous");
  t.after(() => client.disconnect());
  await once(client.socket, "connect", { fail_on: ["connect_error"], what: `${id} connecting` });
  if (claim) await client.inbox.next(id === claim ? "auth:success" : "auth:error");
  return client;
}

async function joined(client, room) {
  client.joinRoom(room);
  assert.deepEqual(await client.inbox.next("joined", { where: ([p]) => p.room === room }), [{ room }]);
}

function behaves(get) {
  test("auth {userId, token} -> auth:success {userId}; another user's id is refused", async (t) => {
    const d = get();
    const ann_id = unique("ann");
    const ann = await connect(t, d, ann_id);
    assert.deepEqual(ann.inbox.all("auth:success"), [[{ userId: ann_id }]]);

    const mallory = await connect(t, d, unique("mallory"), { claim: ann_id });
    assert.deepEqual(mallory.inbox.all("auth:error"), [[{ message: "userId does not match the token" }]]);
    assert.equal(mallory.inbox.all("auth:success").length, 0);
    mallory.socket.emit("auth", { userId: mallory.id, token: d.token(ann_id) });
    assert.deepEqual(await mallory.inbox.next("auth:error"), [{ message: "token does not match the connection's" }]);

    const anonymous = await connect(t, d, undefined, { token: undefined, claim: undefined });
    anonymous.socket.emit("auth", { userId: ann_id });
    assert.deepEqual(await anonymous.inbox.next("auth:error"), [
      { message: "connect with a token (auth: {token}) to authenticate" },
    ]);
    // A token that does not verify never connects.
    const { io } = await import("socket.io-client");
    const impostor = io(d.url, { auth: { token: forged(d.token(ann_id)) }, transports: ["websocket"], reconnection: false });
    await once(impostor, "connect_error", { fail_on: ["connect"] });
    impostor.disconnect();
  });

  test("join -> joined {room}, user:joined {userId, room} to the others; leave -> left, user:left", async (t) => {
    const d = get();
    const room = unique("project");
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    await joined(ann, room);
    await joined(ben, room);
    assert.deepEqual(await ann.inbox.next("user:joined"), [{ userId: ben.id, room }]);
    ben.leaveRoom(room);
    assert.deepEqual(await ben.inbox.next("left"), [{ room }]);
    assert.deepEqual(await ann.inbox.next("user:left"), [{ userId: ben.id, room }]);
    // Not to the one who joined. (Ann's own user:joined may reach Ben: on two nodes it
    // crosses Redis and can land after Ben's join, as with Node's adapter.)
    assert.deepEqual(ben.inbox.all("user:joined").filter(([p]) => p.userId === ben.id), []);
  });

  test("another user's own room cannot be joined; rooms and events want a signed-in socket", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    const error = await ben.socket.emitWithAck("join", `user:${ann.id}`);
    assert.equal(error.code, "forbidden");
    await joined(ben, `user:${ben.id}`);
    const anonymous = await connect(t, d, undefined, { token: undefined, claim: undefined });
    for (const [event, arg] of [["join", "lobby"], ["typing:start", "lobby"], ["presence", "away"], ["message", { room: "lobby", text: "hi" }]])
      assert.equal((await anonymous.socket.emitWithAck(event, arg)).code, "unauthorized", event);
    assert.equal((await ben.socket.emitWithAck("join", "")).code, "invalid_payload");
    assert.equal((await ben.socket.emitWithAck("presence", "sleeping")).code, "invalid_payload");
    assert.equal(anonymous.inbox.all("joined").length, 0);
  });

  test("presence 'away' -> presence:update {userId, status, lastSeen}; connect and last disconnect too", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben_id = unique("ben");
    const ben = await connect(t, d, ben_id);
    const about_ben = ([u]) => u.userId === ben_id;
    const [online] = await ann.inbox.next("presence:update", { where: about_ben });
    assert.equal(online.status, "online");
    assert.equal(typeof online.lastSeen, "number");
    ben.setPresence("away");
    assert.equal((await ann.inbox.next("presence:update", { where: about_ben }))[0].status, "away");
    ben.setPresence("busy");
    assert.equal((await ann.inbox.next("presence:update", { where: about_ben }))[0].status, "busy");
    ben.disconnect();
    assert.equal((await ann.inbox.next("presence:update", { where: about_ben }))[0].status, "offline");
  });

  test("typing:start / typing:stop with a room string -> {userId, room} to the room's others", async (t) => {
    const d = get();
    const room = unique("chat");
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    const cat = await connect(t, d, unique("cat"));
    await joined(ann, room);
    await joined(ben, room);
    ann.startTyping(room);
    assert.deepEqual(await ben.inbox.next("typing:start"), [{ userId: ann.id, room }]);
    ann.stopTyping(room);
    assert.deepEqual(await ben.inbox.next("typing:stop"), [{ userId: ann.id, room }]);
    ben.sendMessage(room, "fence");
    await ann.inbox.next("message");
    await cat.socket.emitWithAck("presence", "online");
    assert.equal(ann.inbox.all("typing:start").length, 0, "not to the typist");
    assert.equal(cat.inbox.all("typing:start").length, 0, "not outside the room");
  });

  test("ChatRoom: message {room, text} reaches the whole room, sender included", async (t) => {
    const d = get();
    const room = unique("chat");
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    const outsider = await connect(t, d, unique("cat"));
    await joined(ann, room);
    await joined(ben, room);
    ann.sendMessage(room, "hello");
    const [message] = await ben.inbox.next("message");
    assert.deepEqual({ ...message, id: 0, createdAt: 0 }, { id: 0, room, userId: ann.id, text: "hello", createdAt: 0 });
    assert.equal(typeof message.id, "string");
    assert.deepEqual(await ann.inbox.next("message"), [message]);
    assert.equal((await ann.socket.emitWithAck("message", { room, text: "  " })).code, "invalid_payload");
    await outsider.socket.emitWithAck("presence", "online");
    assert.equal(outsider.inbox.all("message").length, 0);
  });

  test("backend: notify reaches every device of the user, sendToRoom a room, broadcast everyone", async (t) => {
    const d = get();
    const service = getSocketService(d.url, d.api_key);
    const bob_id = unique("bob");
    const phone = await connect(t, d, bob_id);
    const laptop = await connect(t, d, bob_id);
    const ann = await connect(t, d, unique("ann"));
    const anonymous = await connect(t, d, undefined, { token: undefined, claim: undefined });
    const payload = { type: "message", title: "New Message", message: "You have a new message from John", data: { messageId: "msg_456" } };
    await service.notify(bob_id, payload);
    assert.deepEqual(await phone.inbox.next("notification"), [payload]);
    assert.deepEqual(await laptop.inbox.next("notification"), [payload]);

    const room = unique("project");
    await joined(ann, room);
    await service.sendToRoom(room, "update", { type: "task_completed", taskId: "task_789" });
    assert.deepEqual(await ann.inbox.next("update"), [{ type: "task_completed", taskId: "task_789" }]);

    await service.broadcast("announcement", { message: "System maintenance in 1 hour" });
    for (const c of [phone, laptop, ann, anonymous])
      assert.deepEqual(await c.inbox.next("announcement"), [{ message: "System maintenance in 1 hour" }]);
    assert.equal(ann.inbox.all("notification").length, 0, "notify is for bob only");
    assert.equal(phone.inbox.all("update").length, 0);

    assert.equal(await service.isUserOnline(bob_id), true);
    assert.ok((await service.getOnlineUsers()).includes(bob_id));
    phone.disconnect();
    laptop.disconnect();
    // Bob's two devices may sit on two nodes of a cluster: the cluster announces his
    // last session once, whichever node it left.
    await ann.inbox.next("presence:update", { where: ([u]) => u.userId === bob_id && u.status === "offline" });
    // The service may ask another node than the one that announced it.
    await until(async () => (await service.isUserOnline(bob_id)) === false, "bob offline for the service");
  });
}

for (const database of databases()) {
  describe(`realtime-module on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_seed("realtime-module", { database });
    });
    after(async () => {
      await d?.stop();
    });
    behaves(() => d);
  });
}

on_two_nodes("realtime-module", behaves);
