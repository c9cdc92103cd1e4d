// The calls plugin with real socket.io-client users: ringing every device of the
// invitees, an answer on one device stopping the others, reject with a reason, cancel,
// busy, the ring timeout (a missed call, also through the notifications plugin), hangup
// and disconnect ending the call for the others, rtc:signal relayed between members
// only with `from` stamped by the server, and TURN REST credentials.
// The plugin keeps no table; the notifications plugin in the timeout deployment does
// (SQLite is enough here: notifications.spec.mjs covers it on PostgreSQL).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { ok, refused } from "../support/acks.mjs";
import { Clients } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };
const TURN_SECRET = "spec-turn-secret";

function users_of(d, t) {
  const clients = new Clients(t, d);
  return (user, label = user) => clients.connect(WEBSOCKET, { auth: { token: d.token(user) }, label });
}

const states = (call) => Object.fromEntries(call.participants.map((p) => [p.user, p.state]));

describe("calls", () => {
  let d;
  before(async () => {
    d = await start_deployment({
      plugins: [
        {
          name: "calls",
          config: {
            ring_timeout: 60000,
            max_participants: 4,
            stun_urls: ["stun:stun.example.org:3478"],
            turn_urls: ["turn:turn.example.org:3478?transport=udp"],
            turn_secret: TURN_SECRET,
            turn_ttl: 3600,
          },
        },
      ],
    });
  });
  after(() => d?.stop());

  test("an invite rings every device; the answer on one stops the others; signals go member to member", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob_phone = await connect("bob", "bob phone");
    const bob_laptop = await connect("bob", "bob laptop");
    const placed = await ok(alice, "call:invite", { to: "bob", media: "video", metadata: { topic: "standup" } });
    assert.match(placed.callId, /^[0-9a-f]{32}$/);
    assert.deepEqual(states(placed), { alice: "joined", bob: "ringing" });
    const { callId } = placed;
    for (const device of [bob_phone, bob_laptop]) {
      const [incoming] = await device.inbox.next("call:incoming");
      assert.equal(incoming.callId, callId);
      assert.equal(incoming.from, "alice");
      assert.equal(incoming.media, "video");
      assert.deepEqual(incoming.metadata, { topic: "standup" });
    }
    const answered = await ok(bob_phone, "call:accept", { callId });
    assert.deepEqual(states(answered), { alice: "joined", bob: "joined" });
    assert.deepEqual((await bob_laptop.inbox.next("call:answered_elsewhere"))[0], { callId });
    assert.deepEqual((await alice.inbox.next("call:accepted"))[0], { callId, user: "bob" });
    await refused(bob_laptop, "call:accept", { callId }, "conflict");

    // `from` is the signed-in sender, whatever the payload says.
    const offer = { type: "offer", sdp: "v=0\r\n" };
    assert.deepEqual(await ok(alice, "rtc:signal", { callId, to: "bob", kind: "offer", payload: offer, from: "mallory" }),
      { callId });
    assert.deepEqual((await bob_phone.inbox.next("rtc:signal"))[0], { callId, from: "alice", kind: "offer", payload: offer });
    await ok(bob_phone, "rtc:signal", { callId, to: "alice", kind: "answer", payload: { type: "answer", sdp: "v=0" } });
    assert.equal((await alice.inbox.next("rtc:signal"))[0].kind, "answer");
    const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host", sdpMid: "0" };
    await ok(bob_phone, "rtc:signal", { callId, to: "alice", kind: "candidate", payload: candidate });
    assert.deepEqual((await alice.inbox.next("rtc:signal"))[0].payload, candidate);

    // Only members, from the device in the call, to a member.
    await refused(bob_laptop, "rtc:signal", { callId, to: "alice", kind: "offer", payload: {} }, "forbidden");
    const mallory = await connect("mallory");
    await refused(mallory, "rtc:signal", { callId, to: "alice", kind: "offer", payload: {} }, "forbidden");
    await refused(alice, "rtc:signal", { callId, to: "mallory", kind: "offer", payload: {} }, "not_found");
    await refused(alice, "rtc:signal", { callId, to: "bob", kind: "bye", payload: {} }, "invalid_payload");
    mallory.socket.emit("rtc:signal", { callId, to: "alice", kind: "offer", payload: {} });
    assert.equal((await mallory.inbox.next("rtc:error"))[0].code, "forbidden");

    assert.deepEqual(await ok(alice, "call:hangup", { callId }), { callId });
    assert.deepEqual((await bob_phone.inbox.next("call:left"))[0], { callId, user: "alice", reason: "hangup" });
    assert.deepEqual((await bob_phone.inbox.next("call:ended"))[0], { callId, reason: "hangup" });
    await refused(bob_phone, "rtc:signal", { callId, to: "alice", kind: "offer", payload: {} }, "not_found");
  });

  test("a reject with a reason ends a 1:1 call and stops the invitee's other devices", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob_phone = await connect("bob", "bob phone");
    const bob_laptop = await connect("bob", "bob laptop");
    const { callId } = await ok(alice, "call:invite", { to: ["bob"] });
    await bob_phone.inbox.next("call:incoming");
    await bob_laptop.inbox.next("call:incoming");
    assert.deepEqual(await ok(bob_phone, "call:reject", { callId, reason: "driving" }), { callId });
    assert.deepEqual((await bob_laptop.inbox.next("call:cancelled"))[0], { callId, reason: "rejected" });
    assert.deepEqual((await alice.inbox.next("call:rejected"))[0], { callId, user: "bob", reason: "driving" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId, reason: "rejected" });
    await refused(bob_laptop, "call:accept", { callId }, "not_found");
  });

  test("the caller cancels: every ringing device stops", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const carol = await connect("carol");
    const { callId } = await ok(alice, "call:invite", { to: ["bob", "carol"] });
    await bob.inbox.next("call:incoming");
    await carol.inbox.next("call:incoming");
    await refused(bob, "call:cancel", { callId }, "forbidden");
    assert.deepEqual(await ok(alice, "call:cancel", { callId }), { callId, cancelled: ["bob", "carol"] });
    for (const c of [bob, carol]) assert.deepEqual((await c.inbox.next("call:cancelled"))[0], { callId, reason: "cancelled" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId, reason: "cancelled" });
  });

  test("busy: someone in a call cannot be rung, nor place or take another call", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const carol = await connect("carol");
    const dan = await connect("dan");
    const { callId } = await ok(alice, "call:invite", { to: "bob" });
    await ok(bob, "call:accept", { callId });
    const error = await refused(carol, "call:invite", { to: "bob" }, "busy");
    assert.equal(error.message, "bob is already in a call");
    await refused(alice, "call:invite", { to: "carol" }, "busy");
    // In a group invite the busy one is reported, the others ring.
    const group = await ok(carol, "call:invite", { to: ["bob", "dan"] });
    assert.deepEqual(states(group), { carol: "joined", bob: "busy", dan: "ringing" });
    await dan.inbox.next("call:incoming");
    await refused(bob, "call:accept", { callId: group.callId }, "not_ringing");
  });

  test("disconnecting hangs up: the others are told and a 1:1 call ends", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const { callId } = await ok(alice, "call:invite", { to: "bob" });
    await ok(bob, "call:accept", { callId });
    bob.socket.disconnect();
    assert.deepEqual((await alice.inbox.next("call:left"))[0], { callId, user: "bob", reason: "disconnected" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId, reason: "disconnected" });
    // alice is free again.
    await ok(alice, "call:invite", { to: "carol" });
  });

  test("a group call goes on while two members remain", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const carol = await connect("carol");
    const { callId } = await ok(alice, "call:invite", { to: ["bob", "carol"] });
    await ok(bob, "call:accept", { callId });
    await ok(carol, "call:accept", { callId });
    assert.deepEqual((await bob.inbox.next("call:accepted"))[0], { callId, user: "carol" });
    await ok(alice, "call:hangup", { callId });
    for (const c of [bob, carol]) assert.deepEqual((await c.inbox.next("call:left"))[0], { callId, user: "alice", reason: "hangup" });
    await ok(bob, "rtc:signal", { callId, to: "carol", kind: "offer", payload: { sdp: "x" } });
    assert.equal((await carol.inbox.next("rtc:signal"))[0].from, "bob");
    await ok(carol, "call:hangup", { callId });
    assert.deepEqual((await bob.inbox.next("call:ended"))[0], { callId, reason: "hangup" });
  });

  test("members get TURN REST credentials (username = expiry, credential = HMAC-SHA1) and STUN", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const eve = await connect("eve");
    const started = Math.floor(Date.now() / 1000);
    const { callId, iceServers } = await ok(alice, "call:invite", { to: "bob" });
    assert.deepEqual(iceServers[0], { urls: ["stun:stun.example.org:3478"] });
    const turn = iceServers[1];
    assert.deepEqual(turn.urls, ["turn:turn.example.org:3478?transport=udp"]);
    const expiry = Number(turn.username);
    assert.ok(expiry >= started + 3600 - 5 && expiry <= Math.floor(Date.now() / 1000) + 3600 + 5, turn.username);
    assert.equal(turn.credential, createHmac("sha1", TURN_SECRET).update(turn.username).digest("base64"));
    await ok(bob, "call:accept", { callId });
    const refreshed = await ok(bob, "call:ice_servers", { callId });
    assert.equal(refreshed.iceServers.length, 2);
    await refused(eve, "call:ice_servers", { callId }, "forbidden");
  });

  test("bad payloads are answered with invalid_payload, unknown calls with not_found", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    for (const payload of [
      {},
      { to: [] },
      { to: "alice" },
      { to: 42 },
      { to: ["a", "b", "c", "d"] },
      { to: "bob", media: "fax" },
      { to: "bob", metadata: [] },
    ])
      await refused(alice, "call:invite", payload, "invalid_payload");
    await refused(alice, "call:invite", "bob", "invalid_payload");
    await refused(alice, "call:accept", {}, "invalid_payload");
    await refused(alice, "call:reject", { callId: "x", reason: 5 }, "invalid_payload");
    await refused(alice, "call:accept", { callId: "0123" }, "not_found");
    await refused(alice, "call:hangup", { callId: "0123" }, "not_found");
    await refused(alice, "rtc:signal", { callId: "0123", to: "bob", kind: "offer", payload: {} }, "not_found");
    await refused(alice, "rtc:signal", { callId: "0123", to: "bob", kind: "offer", payload: "x".repeat(70000) },
      "invalid_payload");
  });
});

describe("calls ring timeout", () => {
  let d;
  before(async () => {
    d = await start_deployment({
      plugins: [{ name: "calls", config: { ring_timeout: 300 } }, { name: "notifications" }],
    });
  });
  after(() => d?.stop());

  test("an unanswered call is missed: ringing stops, the caller is told, the callee notified", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob_phone = await connect("bob", "bob phone");
    const bob_laptop = await connect("bob", "bob laptop");
    const { callId } = await ok(alice, "call:invite", { to: "bob", media: "video" });
    for (const device of [bob_phone, bob_laptop]) {
      await device.inbox.next("call:incoming");
      assert.deepEqual((await device.inbox.next("call:cancelled"))[0], { callId, reason: "timeout" });
    }
    assert.deepEqual((await alice.inbox.next("call:missed"))[0], { callId, user: "bob" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId, reason: "timeout" });
    // The notifications plugin stores it for bob and pushes it to his devices.
    const [{ notification }] = await bob_phone.inbox.next("notification:new");
    assert.equal(notification.type, "call.missed");
    assert.equal(notification.title, "Missed video call from alice");
    assert.deepEqual(notification.data, { callId, from: "alice", media: "video" });
    await refused(bob_phone, "call:accept", { callId }, "not_found");
  });
});
