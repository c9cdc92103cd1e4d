// The calls plugin on two nodes over Redis (plugins/calls/README.md, "Several nodes"):
// a call lives on its caller's node and devices on the other node act on it through
// that node. Real socket.io-client devices on each node: the callee's devices on both
// ring and an answer on one stops the other (answered elsewhere), a reject and a cancel
// cross, rtc:signal is relayed across nodes (also between two devices of the other
// node), busy holds across nodes in both directions, a disconnect on either node hangs
// up, an unanswered call is missed (and notified) on every device, and a request about
// a call whose node died is refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ok, refused } from "../support/acks.mjs";
import { Clients } from "../support/client.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };

const states = (placed) => Object.fromEntries(placed.participants.map((p) => [p.user, p.state]));

// Users of their own per test: a call a test leaves behind never makes another's busy.
let tests = 0;

// connect("a", "bob", "bob phone"): a device of the test's user "bob" on node a.
function devices(t, pair) {
  const suffix = `-${++tests}`;
  const on = { a: new Clients(t, pair.a), b: new Clients(t, pair.b) };
  const connect = (node, user, label = `${user}@${node}`) =>
    on[node].connect(WEBSOCKET, { auth: { token: pair.a.token(user + suffix) }, label });
  return { connect, id: (user) => user + suffix };
}

// The classic adapter, and redis-streams, where this node's own broadcasts come back
// through the log (a device skipped by id).
for (const adapter of ["redis", "redis-streams"])
describe(`calls on two nodes over Redis (${adapter})`, { skip: !redis_available() && "no Redis" }, () => {
  let pair;
  before(async () => {
    pair = await start_node_pair({
      adapter,
      plugins: [{ name: "calls", config: { ring_timeout: 60000, max_participants: 4 } }],
    });
  });
  after(() => pair?.stop());

  test("both nodes ring; the answer on b stops a's device; signals cross; a hangup on b ends it", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob_a = await connect("a", "bob");
    const bob_b = await connect("b", "bob");
    const alice_id = id("alice");
    const bob_id = id("bob");
    const placed = await ok(alice, "call:invite", { to: bob_id, media: "video" });
    const { callId } = placed;
    assert.deepEqual(states(placed), { [alice_id]: "joined", [bob_id]: "ringing" });
    for (const device of [bob_a, bob_b]) {
      const [incoming] = await device.inbox.next("call:incoming");
      assert.equal(incoming.callId, callId);
      assert.equal(incoming.from, alice_id);
    }

    const answered = await ok(bob_b, "call:accept", { callId });
    assert.deepEqual(states(answered), { [alice_id]: "joined", [bob_id]: "joined" });
    assert.ok(Array.isArray(answered.iceServers));
    assert.deepEqual((await bob_a.inbox.next("call:answered_elsewhere"))[0], { callId });
    assert.deepEqual((await alice.inbox.next("call:accepted"))[0], { callId, user: bob_id });
    await refused(bob_a, "call:accept", { callId }, "conflict");
    assert.equal(bob_b.inbox.all("call:answered_elsewhere").length, 0, "the answering device is skipped");

    // a -> b: `from` is the signed-in sender, whatever the payload says.
    const offer = { type: "offer", sdp: "v=0\r\n" };
    assert.deepEqual(await ok(alice, "rtc:signal", { callId, to: bob_id, kind: "offer", payload: offer, from: "mallory" }),
      { callId });
    assert.deepEqual((await bob_b.inbox.next("rtc:signal"))[0], { callId, from: alice_id, kind: "offer", payload: offer });
    // b -> a, in the order sent.
    const candidates = [1, 2, 3].map((n) => ({ candidate: `candidate:${n} 1 udp 2122260223 192.0.2.1 5432${n} typ host` }));
    await ok(bob_b, "rtc:signal", { callId, to: alice_id, kind: "answer", payload: { type: "answer", sdp: "v=0" } });
    for (const payload of candidates) bob_b.socket.emit("rtc:signal", { callId, to: alice_id, kind: "candidate", payload });
    assert.equal((await alice.inbox.next("rtc:signal"))[0].kind, "answer");
    for (const payload of candidates)
      assert.deepEqual((await alice.inbox.next("rtc:signal"))[0], { callId, from: bob_id, kind: "candidate", payload });
    // Only the device in the call, on either node.
    await refused(bob_a, "rtc:signal", { callId, to: alice_id, kind: "offer", payload: {} }, "forbidden");
    const mallory = await connect("b", "mallory");
    await refused(mallory, "rtc:signal", { callId, to: alice_id, kind: "offer", payload: {} }, "forbidden");
    await refused(mallory, "call:ice_servers", { callId }, "forbidden");
    mallory.socket.emit("rtc:signal", { callId, to: alice_id, kind: "offer", payload: {} });
    assert.equal((await mallory.inbox.next("rtc:error"))[0].code, "forbidden");
    assert.deepEqual(await ok(bob_b, "call:ice_servers", { callId }), { callId, iceServers: [] });

    assert.deepEqual(await ok(bob_b, "call:hangup", { callId }), { callId });
    assert.deepEqual((await alice.inbox.next("call:left"))[0], { callId, user: bob_id, reason: "hangup" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId, reason: "hangup" });
    await refused(bob_b, "rtc:signal", { callId, to: alice_id, kind: "offer", payload: {} }, "not_found");
  });

  test("a reject on b and a cancel on a stop the ringing on both nodes", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob_a = await connect("a", "bob");
    const bob_b = await connect("b", "bob");
    const carol_b = await connect("b", "carol");
    const rejected = await ok(alice, "call:invite", { to: id("bob") });
    await bob_a.inbox.next("call:incoming");
    await bob_b.inbox.next("call:incoming");
    assert.deepEqual(await ok(bob_b, "call:reject", { callId: rejected.callId, reason: "driving" }),
      { callId: rejected.callId });
    assert.deepEqual((await bob_a.inbox.next("call:cancelled"))[0], { callId: rejected.callId, reason: "rejected" });
    assert.deepEqual((await alice.inbox.next("call:rejected"))[0],
      { callId: rejected.callId, user: id("bob"), reason: "driving" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId: rejected.callId, reason: "rejected" });
    await refused(bob_b, "call:accept", { callId: rejected.callId }, "not_found");

    const cancelled = await ok(alice, "call:invite", { to: [id("bob"), id("carol")] });
    await bob_b.inbox.next("call:incoming", { where: ([c]) => c.callId === cancelled.callId });
    await carol_b.inbox.next("call:incoming");
    await refused(carol_b, "call:cancel", { callId: cancelled.callId }, "forbidden");
    assert.deepEqual(await ok(alice, "call:cancel", { callId: cancelled.callId }),
      { callId: cancelled.callId, cancelled: [id("bob"), id("carol")] });
    for (const device of [bob_a, bob_b, carol_b])
      assert.deepEqual((await device.inbox.next("call:cancelled", { where: ([c]) => c.callId === cancelled.callId }))[0],
        { callId: cancelled.callId, reason: "cancelled" });
  });

  test("two devices on b in a call of a's signal each other through a", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const carol = await connect("b", "carol");
    const { callId } = await ok(alice, "call:invite", { to: [id("bob"), id("carol")] });
    await ok(bob, "call:accept", { callId });
    await ok(carol, "call:accept", { callId });
    assert.deepEqual((await bob.inbox.next("call:accepted"))[0], { callId, user: id("carol") });
    await ok(alice, "call:hangup", { callId });
    for (const c of [bob, carol])
      assert.deepEqual((await c.inbox.next("call:left"))[0], { callId, user: id("alice"), reason: "hangup" });
    // The call goes on between b's two devices, still on a.
    await ok(bob, "rtc:signal", { callId, to: id("carol"), kind: "offer", payload: { sdp: "x" } });
    assert.deepEqual((await carol.inbox.next("rtc:signal"))[0],
      { callId, from: id("bob"), kind: "offer", payload: { sdp: "x" } });
    await ok(carol, "call:hangup", { callId });
    assert.deepEqual((await bob.inbox.next("call:ended"))[0], { callId, reason: "hangup" });
  });

  test("busy holds across nodes, both ways, and ends with the call", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const carol = await connect("b", "carol");
    const dan = await connect("a", "dan");
    // A call of a's, answered on b: b hears who is busy before the answer's ack.
    const { callId } = await ok(alice, "call:invite", { to: id("bob") });
    await ok(bob, "call:accept", { callId });
    const error = await refused(carol, "call:invite", { to: id("bob") }, "busy");
    assert.equal(error.message, `${id("bob")} is already in a call`);
    await refused(carol, "call:invite", { to: id("alice") }, "busy");
    await refused(dan, "call:invite", { to: id("bob") }, "busy");
    await refused(bob, "call:invite", { to: id("carol") }, "busy");
    const group = await ok(carol, "call:invite", { to: [id("bob"), id("dan")] });
    assert.deepEqual(states(group), { [id("carol")]: "joined", [id("bob")]: "busy", [id("dan")]: "ringing" });
    await ok(carol, "call:cancel", { callId: group.callId });

    // A call of b's (both devices on b): a hears it after b's answer to any request
    // about that call, which b sends after it.
    const erin = await connect("b", "erin");
    const frank = await connect("b", "frank");
    const local = await ok(erin, "call:invite", { to: id("frank") });
    await ok(frank, "call:accept", { callId: local.callId });
    await refused(dan, "call:ice_servers", { callId: local.callId }, "forbidden");
    await refused(dan, "call:invite", { to: id("frank") }, "busy");

    // Hung up on b: free on both nodes once the hangup's ack is back.
    await ok(bob, "call:hangup", { callId });
    const again = await ok(carol, "call:invite", { to: id("bob") });
    assert.deepEqual(states(again), { [id("carol")]: "joined", [id("bob")]: "ringing" });
    await ok(carol, "call:cancel", { callId: again.callId });
    await ok(frank, "call:hangup", { callId: local.callId });
    await refused(dan, "call:ice_servers", { callId: local.callId }, "forbidden");
    const freed = await ok(dan, "call:invite", { to: id("frank") });
    assert.deepEqual(states(freed), { [id("dan")]: "joined", [id("frank")]: "ringing" });
  });

  test("a disconnect hangs up across nodes: the callee's on b, the caller's on b", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const first = await ok(alice, "call:invite", { to: id("bob") });
    await ok(bob, "call:accept", { callId: first.callId });
    bob.socket.disconnect();
    assert.deepEqual((await alice.inbox.next("call:left"))[0], { callId: first.callId, user: id("bob"), reason: "disconnected" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId: first.callId, reason: "disconnected" });

    // A call of b's answered on a: the caller's device on b goes.
    const carol = await connect("b", "carol");
    const second = await ok(carol, "call:invite", { to: id("alice") });
    await alice.inbox.next("call:incoming", { where: ([c]) => c.callId === second.callId });
    await ok(alice, "call:accept", { callId: second.callId });
    carol.socket.disconnect();
    assert.deepEqual((await alice.inbox.next("call:left"))[0], { callId: second.callId, user: id("carol"), reason: "disconnected" });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId: second.callId, reason: "disconnected" });
    await refused(alice, "rtc:signal", { callId: second.callId, to: id("carol"), kind: "offer", payload: {} }, "not_found");
  });
});

describe("calls on two nodes: ring timeout and a node that dies", { skip: !redis_available() && "no Redis" }, () => {
  let pair;
  before(async () => {
    pair = await start_node_pair({
      database: "postgresql",
      plugins: [{ name: "calls", config: { ring_timeout: 500 } }, { name: "notifications" }],
    });
  });
  after(() => pair?.stop());

  test("an unanswered call is missed on both nodes' devices, and notified to every device", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob_a = await connect("a", "bob");
    const bob_b = await connect("b", "bob");
    const { callId } = await ok(alice, "call:invite", { to: id("bob"), media: "video" });
    for (const device of [bob_a, bob_b]) {
      await device.inbox.next("call:incoming");
      assert.deepEqual((await device.inbox.next("call:cancelled"))[0], { callId, reason: "timeout" });
    }
    assert.deepEqual((await alice.inbox.next("call:missed"))[0], { callId, user: id("bob") });
    assert.deepEqual((await alice.inbox.next("call:ended"))[0], { callId, reason: "timeout" });
    // a's notifications plugin stores it; bob's device on b is told too.
    const [{ notification }] = await bob_b.inbox.next("notification:new");
    assert.equal(notification.type, "call.missed");
    assert.equal(notification.title, `Missed video call from ${id("alice")}`);
    assert.deepEqual(notification.data, { callId, from: id("alice"), media: "video" });
    await refused(bob_b, "call:accept", { callId }, "not_found");
  });

  test("a request about a call whose node died is refused with not_found", async (t) => {
    const { connect, id } = devices(t, pair);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const { callId } = await ok(alice, "call:invite", { to: id("bob") });
    await ok(bob, "call:accept", { callId });
    pair.a.kill("SIGKILL");
    const error = await refused(bob, "rtc:signal", { callId, to: id("alice"), kind: "offer", payload: {} }, "not_found");
    assert.match(error.message, /node is gone/);
  });
});
