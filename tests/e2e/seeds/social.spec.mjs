// Seed 002, the social network: its own client code and backend calls
// (social_client.mjs, from the seed's "Client Integration", "Socket.IO Events Testing"
// and lib/notifications.ts) against the shipped deployment examples/seeds/social/, on
// SQLite and PostgreSQL, and as two nodes over Redis. One test a row of the seed's
// event tables, the identity check, validation and what an offline user gets back.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Inbox, once, unique, until } from "../support/client.mjs";
import { REPO, databases } from "../support/deployment.mjs";
import { connectSocial, socialBackend } from "./social_client.mjs";
import { forged, on_two_nodes, start_seed } from "./support.mjs";

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test("the shipped deployment listens on 3000 and wants a token", () => {
  const yaml = readFileSync(path.join(REPO, "examples/seeds/social/switchboard.yaml"), "utf8");
  assert.match(yaml, /^\s*port:\s*3000\s*$/m);
  assert.match(yaml, /^\s*anonymous:\s*false\b/m);
});

// A signed-in user on node `d`: the seed's connection (join with its id on connect)
// and an inbox of everything it hears. `claim`: the id it joins with.
async function connect(t, d, id, { claim = id } = {}) {
  const client = connectSocial(d.url, { token: d.token(id, { name: `${id} name` }), userId: claim });
  client.id = id;
  client.inbox = new Inbox(client.socket, id);
  t.after(() => client.disconnect());
  await once(client.socket, "connect", { fail_on: ["connect_error"], what: `${id} connecting` });
  await settled(client);
  return client;
}

// The seed's events answer nothing, and one socket's pooled events run in order: a
// refused mark_notification_read comes back after the socket's join, so it fences it.
async function settled(client) {
  const error = await client.socket.emitWithAck("mark_notification_read", "fence");
  assert.equal(error.code, "not_found");
}

function notification_shape(n) {
  assert.equal(typeof n.id, "string");
  assert.match(n.createdAt, ISO_DATE);
  return { ...n, id: "", createdAt: "" };
}

function behaves(get) {
  test("a connection without a valid token is refused", async () => {
    const d = get();
    const { io } = await import("socket.io-client");
    for (const auth of [{}, { token: forged(d.token("ann")) }]) {
      const socket = io(d.url, { auth, transports: ["websocket"], reconnection: false });
      await once(socket, "connect_error", { fail_on: ["connect"] });
      socket.disconnect();
    }
  });

  test("join userId: the user's own room; another user's id is refused", async (t) => {
    const d = get();
    const backend = socialBackend(d.url, d.api_key);
    const ann = await connect(t, d, unique("ann"));
    const mallory = await connect(t, d, unique("mallory"), { claim: ann.id });
    const error = await mallory.socket.emitWithAck("join", ann.id);
    assert.deepEqual(error, { code: "forbidden", message: "userId does not match the token" });
    // "Emit to user_B room": the seed's room name reaches Ann, not Mallory.
    await fetch(`${d.url}/api/emit`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": d.api_key },
      body: JSON.stringify({ event: "new_notification", rooms: [`user_${ann.id}`], data: [{ title: "to ann" }] }),
    });
    assert.deepEqual(await ann.inbox.next("new_notification"), [{ title: "to ann" }]);
    await backend.notifyFollow(mallory.id, { id: "x", username: "x" });
    await mallory.inbox.next("new_notification");
    assert.equal(mallory.inbox.all("new_notification").length, 1, "only its own");
    for (const bad of [undefined, "", 3.5, { id: ann.id }, "x".repeat(129)])
      assert.equal((await mallory.socket.emitWithAck("join", bad)).code, "invalid_payload", JSON.stringify(bad));
  });

  test("user_online / user_offline userId: a user's first device arrives, the last leaves", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben_id = unique("ben");
    const about_ben = ([id]) => id === ben_id;
    const phone = await connect(t, d, ben_id);
    assert.deepEqual(await ann.inbox.next("user_online", { where: about_ben }), [ben_id]);
    phone.disconnect();
    assert.deepEqual(await ann.inbox.next("user_offline", { where: about_ben }), [ben_id]);
  });

  test("a second device of an online user announces nothing; offline once the last leaves",
    async (t) => {
      const d = get();
      const ann = await connect(t, d, unique("ann"));
      const ben_id = unique("ben");
      const about_ben = ([id]) => id === ben_id;
      const phone = await connect(t, d, ben_id);
      await ann.inbox.next("user_online", { where: about_ben });
      const laptop = await connect(t, d, ben_id);
      // On two nodes the laptop's node counts it in Redis just after its CONNECT: wait
      // until the cluster sees both devices, else the phone leaving first is a real
      // last-device transition (docs/cluster.md, presence limits).
      await until(async () => (await d.api("GET", `/api/presence/users/${ben_id}`)).body.sessions === 2,
        "both of ben's devices counted");
      phone.disconnect();
      laptop.disconnect();
      await ann.inbox.next("user_offline", { where: about_ben });
      await settled(ann);
      assert.equal(ann.inbox.all("user_online").filter(about_ben).length, 1);
      assert.equal(ann.inbox.all("user_offline").filter(about_ben).length, 1);
    });

  test("typing / stop_typing {receiverId} -> user_typing / user_stop_typing {userId} to the receiver", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben_id = unique("ben");
    const phone = await connect(t, d, ben_id);
    const laptop = await connect(t, d, ben_id);
    const cat = await connect(t, d, unique("cat"));
    ann.typing(ben_id);
    for (const device of [phone, laptop]) assert.deepEqual(await device.inbox.next("user_typing"), [{ userId: ann.id }]);
    ann.stopTyping(ben_id);
    for (const device of [phone, laptop])
      assert.deepEqual(await device.inbox.next("user_stop_typing"), [{ userId: ann.id }]);
    for (const bad of [undefined, "ben", {}, { receiverId: "" }, { receiverId: ann.id }])
      assert.equal((await ann.socket.emitWithAck("typing", bad)).code, "invalid_payload", JSON.stringify(bad));
    await settled(cat);
    assert.equal(cat.inbox.all("user_typing").length, 0);
    assert.equal(ann.inbox.all("user_typing").length, 0);
  });

  test("send_message {receiverId, content} -> new_message and new_notification to the receiver", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben_id = unique("ben");
    const phone = await connect(t, d, ben_id);
    const laptop = await connect(t, d, ben_id);
    const message = await new Promise((resolve) =>
      ann.socket.emit("send_message", { receiverId: ben_id, content: "Hello!" }, resolve));
    assert.match(message.createdAt, ISO_DATE);
    assert.deepEqual({ ...message, id: "", createdAt: "" },
      { id: "", senderId: ann.id, receiverId: ben_id, content: "Hello!", read: false, createdAt: "" });
    for (const device of [phone, laptop]) {
      assert.deepEqual(await device.inbox.next("new_message"), [message]);
      const [notification] = await device.inbox.next("new_notification");
      assert.deepEqual(notification_shape(notification), {
        id: "", userId: ben_id, type: "message", title: "New Message", content: `${ann.id} name sent you a message`,
        metadata: JSON.stringify({ messageId: message.id, senderId: ann.id }), read: false, createdAt: "",
      });
    }
    assert.deepEqual(phone.state.messages, [message]);
    assert.deepEqual(phone.state.toasts, ["New Message"]);
    assert.equal(ann.inbox.all("new_message").length, 0, "to the receiver only");
  });

  test("send_message refuses empty, too long, self-addressed and malformed messages", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    const cases = [
      [{ receiverId: ben.id, content: "" }, "content: a non-empty string"],
      [{ receiverId: ben.id, content: "   " }, "content: a non-empty string"],
      [{ receiverId: ben.id, content: "é".repeat(2001) }, "content: at most 2000 characters"],
      [{ receiverId: ann.id, content: "me" }, "receiverId: another user"],
      [{ content: "hi" }, "receiverId: an id (a string of 1 to 128 bytes)"],
      ["hi", "{receiverId, content} is expected"],
    ];
    for (const [payload, message] of cases)
      assert.deepEqual(await ann.socket.emitWithAck("send_message", payload), { code: "invalid_payload", message });
    const [ok] = await Promise.all([
      ann.socket.emitWithAck("send_message", { receiverId: ben.id, content: "é".repeat(2000) }),
      ben.inbox.next("new_message"),
    ]);
    assert.equal(ok.content.length, 2000);
    assert.equal(ben.inbox.all("new_message").length, 1);
  });

  test("send_notification {userId, type, title, content} -> new_notification; not to oneself", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    ann.sendNotification(ben.id, "test", "Test", "Testing real-time");
    const [notification] = await ben.inbox.next("new_notification");
    assert.deepEqual(notification_shape(notification), {
      id: "", userId: ben.id, type: "test", title: "Test", content: "Testing real-time",
      metadata: JSON.stringify({ senderId: ann.id }), read: false, createdAt: "",
    });
    const bad = [
      [{ userId: ann.id, type: "test", title: "T", content: "c" }, "userId: no notifications to oneself"],
      [{ userId: ben.id, type: "no spaces", title: "T", content: "c" }, "type: 1 to 64 of letters, digits, _ . : -"],
      [{ userId: ben.id, type: "test", content: "c" }, "title: a non-empty string"],
      [{ userId: ben.id, type: "test", title: "T", content: "x".repeat(2001) }, "content: at most 2000 characters"],
      [null, "{userId, type, title, content} is expected"],
    ];
    for (const [payload, message] of bad)
      assert.deepEqual(await ann.socket.emitWithAck("send_notification", payload), { code: "invalid_payload", message });
    await settled(ben);
    assert.equal(ben.inbox.all("new_notification").length, 1);
  });

  test("mark_notification_read -> notification_marked_read to every device; others' are not_found", async (t) => {
    const d = get();
    const ann = await connect(t, d, unique("ann"));
    const ben_id = unique("ben");
    const phone = await connect(t, d, ben_id);
    const laptop = await connect(t, d, ben_id);
    ann.sendNotification(ben_id, "test", "Hi", "there");
    const [notification] = await phone.inbox.next("new_notification");
    assert.equal((await ann.socket.emitWithAck("mark_notification_read", notification.id)).code, "not_found");
    assert.equal((await phone.socket.emitWithAck("mark_notification_read", "999999999")).code, "not_found");
    assert.equal((await phone.socket.emitWithAck("mark_notification_read", { id: 1 })).code, "invalid_payload");
    phone.markNotificationRead(notification.id);
    for (const device of [phone, laptop])
      assert.deepEqual(await device.inbox.next("notification_marked_read"), [notification.id]);
    assert.equal(ann.inbox.all("notification_marked_read").length, 0);
  });

  test("an offline user gets the unread notifications it missed when it joins", async (t) => {
    const d = get();
    const backend = socialBackend(d.url, d.api_key);
    const ben_id = unique("ben");
    const first = await connect(t, d, ben_id);
    const ann = { id: unique("ann"), username: "ann" };
    await backend.notifyLike(ben_id, ann, "post-1");
    const [seen] = await first.inbox.next("new_notification");
    first.markNotificationRead(seen.id);
    await first.inbox.next("notification_marked_read");
    first.disconnect();

    await backend.notifyFollow(ben_id, ann);
    await backend.notifyComment(ben_id, ann, "post-1");
    const back = await connect(t, d, ben_id);
    const missed = back.inbox.all("new_notification").map(([n]) => [n.type, n.title, n.content, n.metadata, n.read]);
    assert.deepEqual(missed, [
      ["follow", "New Follower", "ann started following you", JSON.stringify({ followerId: ann.id, followerUsername: "ann" }), false],
      ["comment", "New Comment", "ann commented on your post", JSON.stringify({ commenterId: ann.id, postId: "post-1" }), false],
    ]);
    assert.deepEqual(back.state.toasts, ["New Follower", "New Comment"]);
  });

  test("backend: new_comment to the post's viewers, new_post to all, new_message to the receiver", async (t) => {
    const d = get();
    const backend = socialBackend(d.url, d.api_key);
    const ann = await connect(t, d, unique("ann"));
    const ben = await connect(t, d, unique("ben"));
    const cat = await connect(t, d, unique("cat"));
    const post = unique("post");
    ann.joinPost(post);
    ben.joinPost(post);
    assert.deepEqual(await ben.socket.emitWithAck("join_post", post), { postId: post });
    await ann.socket.emitWithAck("join_post", post);
    const comment = { id: "c1", postId: post, content: "Nice!", userId: cat.id, createdAt: new Date().toISOString() };
    await backend.emitComment(post, comment);
    for (const viewer of [ann, ben]) assert.deepEqual(await viewer.inbox.next("new_comment"), [comment]);
    ben.leavePost(post);
    await ben.socket.emitWithAck("leave_post", post);
    await backend.emitComment(post, { ...comment, id: "c2" });
    assert.equal((await ann.inbox.next("new_comment"))[0].id, "c2");

    const created = { id: "p2", content: "Hello world", userId: ann.id };
    await backend.emitPost(created);
    for (const c of [ann, ben, cat]) assert.deepEqual(await c.inbox.next("new_post"), [created]);

    const message = { id: "m1", senderId: ann.id, receiverId: ben.id, content: "via REST", read: false };
    await backend.emitMessage(message);
    await backend.notifyMessage(ben.id, { id: ann.id, username: "ann" });
    assert.deepEqual(await ben.inbox.next("new_message"), [message]);
    assert.equal((await ben.inbox.next("new_notification"))[0].type, "message");

    assert.equal((await ann.socket.emitWithAck("join_post", "")).code, "invalid_payload");
    await settled(cat);
    assert.equal(cat.inbox.all("new_comment").length, 0);
    assert.equal(ben.inbox.all("new_comment").length, 1, "not after leave_post");
    assert.equal(cat.inbox.all("new_message").length, 0);
  });

  test("backend: createNotification answers the stored notification; bad ones get 400, a bad key 401", async (t) => {
    const d = get();
    const backend = socialBackend(d.url, d.api_key);
    const ben = await connect(t, d, unique("ben"));
    const refusal = (promise) => promise.then(() => assert.fail("accepted"), (error) => [error.status, error.answer.error]);
    assert.deepEqual(await refusal(backend.createNotification(ben.id, "bad type!", "t", "c")),
      [400, { code: "invalid_payload", message: "type: 1 to 64 of letters, digits, _ . : -" }]);
    assert.deepEqual(await refusal(backend.createNotification(ben.id, "like", "", "c")),
      [400, { code: "invalid_payload", message: "title: a non-empty string" }]);
    assert.deepEqual(await refusal(backend.createNotification(ben.id, "like", "t", "c", "not json")),
      [400, { code: "invalid_payload", message: "metadata: a JSON object (as text or an object) or null" }]);
    assert.deepEqual(await refusal(socialBackend(d.url, "x".repeat(32)).createNotification(ben.id, "like", "t", "c")),
      [401, { code: "unauthorized", message: "a valid X-API-Key is required" }]);
    const stored = await backend.createNotification(ben.id, "like", "Fine", "c", { postId: "p1" });
    assert.deepEqual(await ben.inbox.next("new_notification"), [stored]);
    assert.equal(stored.metadata, JSON.stringify({ postId: "p1" }));
    assert.equal(ben.inbox.all("new_notification").length, 1);
  });
}

for (const database of databases()) {
  describe(`social on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_seed("social", { database });
    });
    after(async () => {
      await d?.stop();
    });
    behaves(() => d);
  });
}

on_two_nodes("social", behaves);
