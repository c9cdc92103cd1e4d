// Seed 001, the event chat server: its own client code (event_chat_client.mjs, from
// the seed's SocketProvider and socket-broadcast helpers) against the shipped
// deployment examples/seeds/event-chat/, on SQLite and PostgreSQL. One test a row of
// the seed's event tables, and the refusals and validation it names.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Inbox, once, unique } from "../support/client.mjs";
import { REPO, databases } from "../support/deployment.mjs";
import { create_broadcaster, create_socket_client } from "./event_chat_client.mjs";
import { start_seed } from "./support.mjs";

const TYPING_TIMEOUT_MS = 400;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test("the shipped deployment listens on 3001 and clears typing after 5 s", () => {
  const yaml = readFileSync(path.join(REPO, "examples/seeds/event-chat/switchboard.yaml"), "utf8");
  assert.match(yaml, /^\s*port:\s*3001\s*$/m);
  assert.match(yaml, /^\s*typing_timeout:\s*5000\b/m);
  assert.match(yaml, /^\s*max_length:\s*1000\b/m);
});

for (const database of databases()) {
  describe(`event-chat on ${database}`, () => {
    let d;
    let api;
    before(async () => {
      d = await start_seed("event-chat", {
        database,
        replace: [
          [/^(\s*typing_timeout:\s*)5000/m, `$1${TYPING_TIMEOUT_MS}`],
          [/^(\s*banned_words:\s*)\[\]/m, "$1[darn]"],
        ],
      });
      api = create_broadcaster(d.url, d.api_key);
    });
    after(async () => {
      await d?.stop();
    });

    // A signed-in user of the app: the seed's useSocket() and an inbox of all it hears.
    async function user(t, id, claims = {}) {
      const client = create_socket_client(d.url, d.token(id, claims));
      client.id = id;
      client.inbox = new Inbox(client.socket, id);
      t.after(() => client.disconnect());
      await once(client.socket, "connect", { fail_on: ["connect_error"], what: `${id} connecting` });
      return client;
    }

    // The seed gives no confirmations: a refused send ("Message cannot be empty") comes
    // back after every event the socket sent before it, so it fences them.
    async function settled(client) {
      client.sendMessage("fence", "");
      assert.deepEqual(await client.inbox.next("error"), [{ message: "Message cannot be empty" }]);
    }

    async function participant(t, event, id, status = "attending", claims = {}) {
      await api.broadcastParticipationUpdate(event, id, status, { id, name: claims.name ?? id });
      const client = await user(t, id, claims);
      client.joinEventRoom(event);
      await settled(client);
      return client;
    }

    test("a connection without a valid token is refused", async () => {
      const { io } = await import("socket.io-client");
      for (const auth of [{}, { token: "not-a-jwt" }]) {
        const socket = io(d.url, { auth, transports: ["websocket"], reconnection: false });
        await once(socket, "connect_error", { fail_on: ["connect"] });
        socket.disconnect();
      }
    });

    test("join-event and send-message from a non-participant get error {message}", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"));
      const eve = await user(t, unique("eve"));
      eve.joinEventRoom(event);
      assert.deepEqual(await eve.inbox.next("error"), [{ message: "You are not a participant of this event" }]);
      eve.sendMessage(event, "let me in");
      assert.deepEqual(await eve.inbox.next("error"), [{ message: "You are not a participant of this event" }]);
      ann.sendMessage(event, "inside");
      await ann.inbox.next("new-message");
      await settled(eve);
      assert.equal(eve.inbox.all("new-message").length, 0, "an outsider hears nothing");
    });

    test("send-message: new-message with the EventMessage shape to the whole room, stored", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"), "attending", { name: "Ann", image: "https://img/ann.png" });
      const ben = await participant(t, event, unique("ben"), "interested", { name: "Ben" });
      const received = [];
      const unsubscribe = ben.onMessage((m) => received.push(m));
      ann.sendMessage(event, "See you there");
      const [message] = await ben.inbox.next("new-message");
      assert.deepEqual(Object.keys(message).sort(), ["content", "createdAt", "eventId", "id", "userId", "userImage", "userName"]);
      assert.equal(typeof message.id, "string");
      assert.match(message.createdAt, ISO_DATE);
      assert.deepEqual(
        { ...message, id: undefined, createdAt: undefined },
        { id: undefined, createdAt: undefined, eventId: event, userId: ann.id,
          content: "See you there", userName: "Ann", userImage: "https://img/ann.png" },
      );
      assert.deepEqual(await ann.inbox.next("new-message"), [message], "the sender too");
      assert.deepEqual(received, [message], "onMessage");
      unsubscribe();

      ben.sendMessage(event, "On my way");
      const [second] = await ann.inbox.next("new-message");
      assert.equal(second.userName, "Ben");
      assert.equal("userImage" in second, false, "no image claim, no userImage");
      assert.ok(Number(second.id) > Number(message.id));
      assert.ok(second.createdAt >= message.createdAt, "createdAt follows the order of messages");
      assert.ok(Math.abs(Date.parse(second.createdAt) - Date.now()) < 60_000, "createdAt is now");

      // Persisted: the events plugin's history reads the same rows.
      const [error, history] = await new Promise((resolve) =>
        ann.socket.emit("events:history", { eventId: event }, (...args) => resolve(args)),
      );
      assert.equal(error, null);
      assert.deepEqual(history.messages.map((m) => [String(m.id), m.content]), [
        [message.id, "See you there"],
        [second.id, "On my way"],
      ]);
    });

    test("validation: empty, blank, over 1000 characters and banned words are refused; 1000 pass", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"));
      for (const [content, why] of [
        ["", "Message cannot be empty"],
        ["   \n\t", "Message cannot be empty"],
        [42, "Message cannot be empty"],
        ["x".repeat(1001), "Message is too long (max 1000 characters)"],
        ["é".repeat(1001), "Message is too long (max 1000 characters)"],
        ["oh DARN it", "Message contains inappropriate content"],
      ]) {
        ann.sendMessage(event, content);
        assert.deepEqual(await ann.inbox.next("error"), [{ message: why }], JSON.stringify(content).slice(0, 20));
      }
      ann.sendMessage(event, "é".repeat(1000));
      const [message] = await ann.inbox.next("new-message");
      assert.equal(message.content, "é".repeat(1000));
      ann.sendMessage({}, "x");
      assert.deepEqual(await ann.inbox.next("error"), [{ message: "Invalid event id" }]);
      assert.equal(ann.inbox.all("new-message").length, 1);
    });

    test("typing: user-typing {userId, userName} to the others, user-stopped-typing with the userId", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"), "attending", { name: "Ann" });
      const ben = await participant(t, event, unique("ben"));
      const ann_id = ann.id;
      ann.startTyping(event);
      assert.deepEqual(await ben.inbox.next("user-typing"), [{ userId: ann_id, userName: "Ann" }]);
      ann.stopTyping(event);
      assert.deepEqual(await ben.inbox.next("user-stopped-typing"), [ann_id]);
      await settled(ann);
      assert.equal(ann.inbox.all("user-typing").length, 0, "not to the typist");
    });

    test("typing is cleared by itself after the timeout without a new typing", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"));
      const ben = await participant(t, event, unique("ben"));
      ann.startTyping(event);
      const [started] = await ben.inbox.next("user-typing");
      // No stop-typing: the server clears it (after 400 ms here, the shipped 5 s above).
      assert.deepEqual(await ben.inbox.next("user-stopped-typing"), [started.userId]);
    });

    test("leave-event and disconnecting end typing; a left socket hears no more", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"));
      const ben = await participant(t, event, unique("ben"));
      const cat = await participant(t, event, unique("cat"));
      ann.startTyping(event);
      const [{ userId }] = await ben.inbox.next("user-typing");
      ann.leaveEventRoom(event);
      assert.deepEqual(await ben.inbox.next("user-stopped-typing"), [userId]);
      cat.startTyping(event);
      const [{ userId: cat_id }] = await ben.inbox.next("user-typing");
      cat.disconnect();
      assert.deepEqual(await ben.inbox.next("user-stopped-typing"), [cat_id]);
      ben.sendMessage(event, "anyone?");
      await ben.inbox.next("new-message");
      await settled(ann);
      assert.equal(ann.inbox.all("new-message").length, 0);
    });

    test("participation: user-joined with UserParticipationUpdate, user-left {userId, status}; stored", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"));
      const ben_id = unique("ben");
      await api.broadcastParticipationUpdate(event, ben_id, "interested", { id: ben_id, name: "Ben", image: "b.png" });
      assert.deepEqual(await ann.inbox.next("user-joined"), [
        { userId: ben_id, status: "interested", user: { id: ben_id, name: "Ben", image: "b.png" } },
      ]);
      await api.broadcastParticipationUpdate(event, ben_id, "attending", { id: ben_id, name: "Ben" });
      assert.deepEqual(await ann.inbox.next("user-joined"), [
        { userId: ben_id, status: "attending", user: { id: ben_id, name: "Ben" } },
      ]);
      // Stored: Ben may now join and send.
      const ben = await user(t, ben_id);
      ben.joinEventRoom(event);
      ben.sendMessage(event, "hi");
      await ann.inbox.next("new-message", { where: ([m]) => m.userId === ben_id });

      await api.broadcastParticipationUpdate(event, ben_id, null, { id: ben_id, name: "Ben" });
      assert.deepEqual(await ann.inbox.next("user-left"), [{ userId: ben_id, status: "attending" }]);
      ben.sendMessage(event, "still here?");
      assert.deepEqual(await ben.inbox.next("error"), [{ message: "You are not a participant of this event" }]);
      ben.joinEventRoom(event);
      assert.deepEqual(await ben.inbox.next("error"), [{ message: "You are not a participant of this event" }]);
      // Only participants read: Ben's socket, still in the room, hears no more messages.
      assert.deepEqual(await ben.inbox.next("user-left"), [{ userId: ben_id, status: "attending" }]);
      ann.sendMessage(event, "after Ben left");
      await ann.inbox.next("new-message", { where: ([m]) => m.content === "after Ben left" });
      await api.broadcastNewMessage({ id: "x", eventId: event, userId: "app", content: "from the app",
        userName: "App", createdAt: new Date().toISOString() });
      await ann.inbox.next("new-message", { where: ([m]) => m.content === "from the app" });
      await settled(ben);
      assert.deepEqual(ben.inbox.all("new-message").map(([m]) => m.content), ["hi"]);
    });

    test("POST /api/events/{eventId}/messages is broadcastNewMessage", async (t) => {
      const event = unique("evt");
      const ann = await participant(t, event, unique("ann"));
      const message = {
        id: "m-1", eventId: event, userId: "u9", content: "from the API",
        userName: "Nine", userImage: "9.png", createdAt: new Date().toISOString(),
      };
      await api.broadcastNewMessage(message);
      assert.deepEqual(await ann.inbox.next("new-message"), [message]);
    });

    test("the API routes want the API key and valid bodies", async (t) => {
      const event = unique("evt");
      const body = { userId: "u1", status: "attending", user: { id: "u1", name: "U" } };
      for (const key of [null, "wrong-key-wrong-key"]) {
        const r = await d.api("POST", `/api/events/${event}/participation`, body, { key });
        assert.equal(r.status, 401, JSON.stringify(r.body));
        assert.equal((await d.api("POST", `/api/events/${event}/messages`, { eventId: event, content: "x" }, { key })).status, 401);
      }
      assert.equal((await d.api("POST", `/api/events/${event}/participation`, { ...body, status: "maybe" })).status, 400);
      assert.equal((await d.api("POST", `/api/events/${event}/participation`, { ...body, userId: 7 })).status, 400);
      assert.equal((await d.api("POST", `/api/events/${event}/messages`, { eventId: "other", content: "x" })).status, 400);
      // Nothing was stored by the refused calls.
      const u1 = await user(t, "u1");
      u1.joinEventRoom(event);
      assert.deepEqual(await u1.inbox.next("error"), [{ message: "You are not a participant of this event" }]);
    });
  });
}
