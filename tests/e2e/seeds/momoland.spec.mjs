// Seed 000, momoLand: its socketService (lib/socket.ts) and the backend's emitToRoom /
// emitToAll (momoland_client.mjs) against the shipped deployment
// examples/seeds/momoland/, on SQLite and PostgreSQL, and as two nodes over Redis.
// Every feature of the seed's list: chat rooms, typing, reactions, blog live updates,
// presence and the user count, notifications and announcements, documents with
// author-only editing, location, calls; the refusals and bad payloads.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Inbox, once, unique } from "../support/client.mjs";
import { REPO, databases } from "../support/deployment.mjs";
import { until } from "../support/recovery.mjs";
import { BLOG_ROOM, createEmitters, createSocketService } from "./momoland_client.mjs";
import { forged, on_two_nodes, start_seed } from "./support.mjs";

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test("the shipped deployment listens on 3000 and wants a token", () => {
  const yaml = readFileSync(path.join(REPO, "examples/seeds/momoland/switchboard.yaml"), "utf8");
  assert.match(yaml, /^\s*port:\s*3000\s*$/m);
  assert.match(yaml, /^\s*anonymous:\s*false\b/m);
});

// A signed-in momoLand user on node `d`: socketService.connect(token), and an inbox.
async function connect(t, d, id = unique("user"), claims = {}) {
  const service = createSocketService(d.url);
  service.connect(d.token(id, { name: `${id} name`, ...claims }));
  service.id = id;
  service.inbox = new Inbox(service.socket, id);
  t.after(() => service.disconnect());
  await once(service.socket, "connect", { fail_on: ["connect_error"], what: `${id} connecting` });
  return service;
}

// join-room answers its ack: the seed's client sends none, so tests ask for it to know
// the join happened.
async function inRoom(service, room) {
  assert.deepEqual(await service.socket.emitWithAck("join-room", room), { roomId: room });
}

const code = async (service, event, payload) => (await service.socket.emitWithAck(event, payload))?.code;

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

  // First of the tests with users: no one else is online, so the counts are exact.
  test("presence: user-count {count} follows users arriving and leaving",
    async (t) => {
      const d = get();
      const ann = await connect(t, d);
      const ben_id = unique("ben");
      const ben = await connect(t, d, ben_id);
      // The hook sends user-count right after user-online / user-offline: the count that
      // follows Ben's is the one his arrival or departure made.
      const count_after = (event) => {
        const entries = ann.inbox.entries;
        const at = entries.findIndex((e) => e.event === event && e.args[0].userId === ben_id);
        return at < 0 ? undefined : entries.slice(at).find((e) => e.event === "user-count");
      };
      await ann.inbox.next("user-count", { where: () => count_after("user-online") !== undefined });
      assert.deepEqual(count_after("user-online").args, [{ count: 2 }]);
      ben.disconnect();
      await ann.inbox.next("user-count", { where: () => count_after("user-offline") !== undefined });
      assert.deepEqual(count_after("user-offline").args, [{ count: 1 }]);
    });

  test("presence: user-online / user-offline {userId} to everyone", async (t) => {
    const d = get();
    const ann = await connect(t, d);
    const ben_id = unique("ben");
    const ben = await connect(t, d, ben_id);
    const about_ben = ([u]) => u.userId === ben_id;
    assert.deepEqual(await ann.inbox.next("user-online", { where: about_ben }), [{ userId: ben_id }]);
    ben.disconnect();
    assert.deepEqual(await ann.inbox.next("user-offline", { where: about_ben }), [{ userId: ben_id }]);
  });

  test("chat: joinChatRoom -> user-joined, sendMessage -> new-message to the room, leave -> user-left", async (t) => {
    const d = get();
    const room = unique("room");
    const ann = await connect(t, d);
    const ben = await connect(t, d);
    const outsider = await connect(t, d);
    const messages = [];
    ben.onNewMessage((message) => messages.push(message));
    await inRoom(ann, room);
    ben.joinChatRoom(room);
    assert.deepEqual(await ann.inbox.next("user-joined"), [{ user: { id: ben.id, name: `${ben.id} name` }, roomId: room }]);
    ann.sendMessage(room, "Hello everyone!");
    const [message] = await ben.inbox.next("new-message");
    assert.match(message.createdAt, ISO_DATE);
    assert.deepEqual({ ...message, id: "", createdAt: "" },
      { id: "", roomId: room, content: "Hello everyone!", user: { id: ann.id, name: `${ann.id} name` }, createdAt: "" });
    assert.deepEqual(await ann.inbox.next("new-message"), [message], "the sender's room list too");
    assert.deepEqual(messages, [message]);
    ben.offNewMessage();
    ann.sendMessage(room, "second");
    await ben.inbox.next("new-message");
    assert.equal(messages.length, 1, "offNewMessage stops the callback");
    ben.leaveChatRoom(room);
    assert.deepEqual(await ann.inbox.next("user-left"), [{ user: { id: ben.id, name: `${ben.id} name` }, roomId: room }]);
    await code(outsider, "typing-stop", room);
    assert.equal(outsider.inbox.all("new-message").length, 0);
  });

  test("chat refuses empty or long messages, bad room names and the reserved rooms", async (t) => {
    const d = get();
    const ann = await connect(t, d);
    const room = unique("room");
    await inRoom(ann, room);
    for (const [payload, message] of [
      [{ roomId: room, content: " " }, "content: a non-empty string"],
      [{ roomId: room, content: "あ".repeat(2001) }, "content: at most 2000 characters"],
      [{ roomId: "", content: "hi" }, "roomId: a room name (1 to 128 bytes)"],
      ["hi", "{roomId, content} is expected"],
    ])
      assert.deepEqual(await ann.socket.emitWithAck("send-message", payload), { code: "invalid_payload", message });
    assert.equal(await code(ann, "join-room", `user:${unique("ben")}`), "forbidden");
    assert.equal(await code(ann, "join-room", "document:x"), "forbidden");
    assert.equal(await code(ann, "join-room", { roomId: room }), "invalid_payload");
    assert.equal(ann.inbox.all("new-message").length, 0);
  });

  test("typing: sendTypingIndicator -> typing-start {userId, userName, roomId} to the others; typing-stop", async (t) => {
    const d = get();
    const room = unique("room");
    const ann = await connect(t, d);
    const ben = await connect(t, d);
    const typing = [];
    ben.onTypingStart((data) => typing.push(data));
    await inRoom(ann, room);
    await inRoom(ben, room);
    ann.sendTypingIndicator(room);
    assert.deepEqual(await ben.inbox.next("typing-start"), [{ userId: ann.id, userName: `${ann.id} name`, roomId: room }]);
    assert.deepEqual(typing, [{ userId: ann.id, userName: `${ann.id} name`, roomId: room }]);
    ann.stopTypingIndicator(room);
    assert.deepEqual(await ben.inbox.next("typing-stop"), [{ userId: ann.id, roomId: room }]);
    assert.equal(await code(ann, "typing-start", 42.5), "invalid_payload");
    assert.equal(ann.inbox.all("typing-start").length, 0);
  });

  test("reactions: sendReaction -> message-reaction to the room, reactor included", async (t) => {
    const d = get();
    const room = unique("room");
    const ann = await connect(t, d);
    const ben = await connect(t, d);
    await inRoom(ann, room);
    await inRoom(ben, room);
    ann.sendMessage(room, "react to me");
    const [message] = await ben.inbox.next("new-message");
    ben.sendReaction(room, message.id, "👍");
    const reaction = { roomId: room, messageId: message.id, emoji: "👍", userId: ben.id };
    assert.deepEqual(await ann.inbox.next("message-reaction"), [reaction]);
    assert.deepEqual(await ben.inbox.next("message-reaction"), [reaction]);
    assert.equal(await code(ben, "send-reaction", { roomId: room, messageId: message.id, emoji: "a b" }), "invalid_payload");
    assert.equal(await code(ben, "send-reaction", { roomId: room, emoji: "👍" }), "invalid_payload");
  });

  test("location: shareLocation -> location-shared {roomId, userId, location} to the others", async (t) => {
    const d = get();
    const room = unique("room");
    const ann = await connect(t, d);
    const ben = await connect(t, d);
    await inRoom(ann, room);
    await inRoom(ben, room);
    ann.shareLocation(room, { lat: 35.6762, lng: 139.6503 });
    const [shared] = await ben.inbox.next("location-shared");
    assert.match(shared.sharedAt, ISO_DATE);
    assert.deepEqual({ ...shared, sharedAt: "" },
      { roomId: room, userId: ann.id, location: { lat: 35.6762, lng: 139.6503 }, sharedAt: "" });
    for (const location of [{ lat: 91, lng: 0 }, { lat: 0, lng: -181 }, { lat: "35", lng: 139 }, null])
      assert.equal(await code(ann, "share-location", { roomId: room, location }), "invalid_payload", JSON.stringify(location));
    assert.equal(ann.inbox.all("location-shared").length, 0);
  });

  test("calls: initiateCall(roomId, 'video') -> incoming-call to the room's others", async (t) => {
    const d = get();
    const room = unique("room");
    const ann = await connect(t, d);
    const ben = await connect(t, d);
    await inRoom(ann, room);
    await inRoom(ben, room);
    ann.initiateCall(room, "video");
    const [call] = await ben.inbox.next("incoming-call");
    assert.equal(typeof call.callId, "string");
    assert.deepEqual({ ...call, callId: "" },
      { callId: "", roomId: room, type: "video", from: { id: ann.id, name: `${ann.id} name` } });
    assert.equal(await code(ann, "initiate-call", { roomId: room, type: "fax" }), "invalid_payload");
    assert.equal(ann.inbox.all("incoming-call").length, 0);
  });

  test("blog: new-post to blog-room, post-liked to blog-room and the post's room, new-comment, ranking", async (t) => {
    const d = get();
    const backend = createEmitters(d.url, d.api_key);
    const reader = await connect(t, d);
    const viewer = await connect(t, d);
    const outsider = await connect(t, d);
    const posts = [];
    reader.onNewPost((post) => posts.unshift(post));
    reader.onPostLike((data) => {
      const post = posts.find((p) => p.id === data.postId);
      if (post) post.likesCount = data.likesCount;
    });
    reader.joinBlogRoom();
    await inRoom(reader, BLOG_ROOM);
    const post = { id: unique("post"), title: "Spring in Tokyo", likesCount: 0 };
    await inRoom(viewer, `post-${post.id}`);
    await backend.emitToRoom(BLOG_ROOM, "new-post", post);
    assert.deepEqual(await reader.inbox.next("new-post"), [post]);
    await backend.emitToRoom([BLOG_ROOM, `post-${post.id}`], "post-liked", { postId: post.id, likesCount: 1 });
    assert.deepEqual(await reader.inbox.next("post-liked"), [{ postId: post.id, likesCount: 1 }]);
    assert.deepEqual(await viewer.inbox.next("post-liked"), [{ postId: post.id, likesCount: 1 }]);
    assert.equal(posts[0].likesCount, 1, "the BlogPage's list follows the like");
    const comment = { id: "c1", postId: post.id, content: "Lovely" };
    await backend.emitToRoom(`post-${post.id}`, "new-comment", comment);
    assert.deepEqual(await viewer.inbox.next("new-comment"), [comment]);
    const ranking = [{ postId: post.id, likesCount: 1 }];
    await backend.emitToRoom(BLOG_ROOM, "ranking-updated", ranking);
    assert.deepEqual(await reader.inbox.next("ranking-updated"), [ranking]);
    reader.offNewPost();
    reader.leaveBlogRoom();
    assert.deepEqual(await reader.socket.emitWithAck("leave-room", BLOG_ROOM), { roomId: BLOG_ROOM });
    await backend.emitToRoom(BLOG_ROOM, "new-post", { id: "p2" });
    await backend.emitToAll("system-announcement", { message: "fence" });
    for (const c of [reader, outsider]) await c.inbox.next("system-announcement");
    assert.equal(reader.inbox.all("new-post").length, 1);
    for (const event of ["new-post", "post-liked", "new-comment", "ranking-updated"])
      assert.equal(outsider.inbox.all(event).length, 0, event);
  });

  test("notifications to a user's devices; announcements to all, from the backend or an admin", async (t) => {
    const d = get();
    const backend = createEmitters(d.url, d.api_key);
    const ann_id = unique("ann");
    const phone = await connect(t, d, ann_id);
    const laptop = await connect(t, d, ann_id);
    const admin = await connect(t, d, unique("admin"), { roles: ["admin"] });
    const ben = await connect(t, d);
    const toasts = [];
    phone.onNotification((n) => toasts.push({ title: n.title, description: n.message, variant: n.type }));
    phone.onSystemAnnouncement((a) => toasts.push({ title: "System Announcement", description: a.message }));
    const notification = { title: "New follower", message: "Ben follows you", type: "default" };
    await backend.emitToUser(ann_id, "notification", notification);
    for (const device of [phone, laptop]) assert.deepEqual(await device.inbox.next("notification"), [notification]);
    await backend.emitToAll("system-announcement", { message: "System maintenance in 5 minutes" });
    for (const c of [phone, laptop, admin, ben])
      assert.deepEqual(await c.inbox.next("system-announcement"), [{ message: "System maintenance in 5 minutes" }]);
    admin.sendAnnouncement("Welcome to momoLand");
    const [announcement] = await ben.inbox.next("system-announcement");
    assert.equal(announcement.message, "Welcome to momoLand");
    assert.equal(announcement.from.id, admin.id);
    await phone.inbox.next("system-announcement");
    assert.deepEqual(toasts, [
      { title: "New follower", description: "Ben follows you", variant: "default" },
      { title: "System Announcement", description: "System maintenance in 5 minutes" },
      { title: "System Announcement", description: "Welcome to momoLand" },
    ]);
    assert.deepEqual(await ben.socket.emitWithAck("send-announcement", { message: "hi" }),
      { code: "forbidden", message: "announcing needs the admin role" });
    assert.equal(await code(admin, "send-announcement", { message: "" }), "invalid_payload");
    assert.equal(ben.inbox.all("notification").length, 0);
  });

  test("documents: the author's changes reach the readers; nobody else may edit", async (t) => {
    const d = get();
    const doc = unique("doc");
    const author = await connect(t, d);
    const reader = await connect(t, d);
    assert.deepEqual(await author.socket.emitWithAck("create-document", { documentId: doc }), { documentId: doc, authorId: author.id });
    assert.equal(await code(reader, "create-document", { documentId: doc }), "forbidden");
    assert.deepEqual(await reader.socket.emitWithAck("join-document", doc), { documentId: doc, authorId: author.id });
    author.editDocument(doc, "# Draft\nHello");
    const [change] = await reader.inbox.next("document-updated");
    assert.match(change.updatedAt, ISO_DATE);
    assert.deepEqual({ ...change, updatedAt: "" }, { documentId: doc, content: "# Draft\nHello", userId: author.id, updatedAt: "" });
    assert.deepEqual(await reader.socket.emitWithAck("document-change", { documentId: doc, content: "vandalism" }),
      { code: "forbidden", message: `only the author edits document ${doc}` });
    assert.equal(await code(reader, "join-document", unique("missing")), "not_found");
    assert.equal(await code(author, "document-change", { documentId: doc, content: 42 }), "invalid_payload");
    assert.equal(author.inbox.all("document-updated").length, 0);
    assert.equal(reader.inbox.all("document-updated").length, 1);
  });

  test("a second device of an online user announces nothing",
    async (t) => {
      const d = get();
      const ann = await connect(t, d);
      const ben_id = unique("ben");
      const about_ben = ([u]) => u.userId === ben_id;
      const phone = await connect(t, d, ben_id);
      await ann.inbox.next("user-online", { where: about_ben });
      const laptop = await connect(t, d, ben_id);
      // On two nodes the laptop's node counts it in Redis just after its CONNECT: wait
      // until the cluster sees both devices, else the phone leaving first is a real
      // last-device transition (docs/cluster.md, presence limits).
      await until(async () => (await d.api("GET", `/api/presence/users/${ben_id}`)).body.sessions === 2,
        "both of ben's devices counted");
      phone.disconnect();
      laptop.disconnect();
      await ann.inbox.next("user-offline", { where: about_ben });
      await code(ann, "typing-stop", "fence");
      assert.equal(ann.inbox.all("user-online").filter(about_ben).length, 1);
      assert.equal(ann.inbox.all("user-offline").filter(about_ben).length, 1);
    });
}

for (const database of databases()) {
  describe(`momoland on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_seed("momoland", { database });
    });
    after(async () => {
      await d?.stop();
    });
    behaves(() => d);
  });
}

on_two_nodes("momoland", behaves);
