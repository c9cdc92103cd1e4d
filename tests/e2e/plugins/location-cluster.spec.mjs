// The location plugin on two nodes over Redis (docs/cluster.md, plugins/location/README):
// a share made on node a reaches room members and chosen users on node b live; b's
// joiners and location:list get what was shared on a until its ttl; a stop, leave or
// disconnect on a ends it on b, a stop on b ends what the user's device on a shared.
// Real socket.io-client users on each node.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ok } from "../support/acks.mjs";
import { Clients, DEFAULT_TIMEOUT_MS } from "../support/client.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { until } from "../support/recovery.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };
const TTL_MS = 60_000;
const SHORT_TTL_MS = 1500;   // the ttl test's own pair

let rooms = 0;
const fresh_room = () => `two-nodes-${++rooms}-${Date.now()}`;

// The positions of `room` as a member socket sees them now.
async function listed(client, room) {
  return (await ok(client, "location:list", { room })).positions;
}

describe("location on two nodes over Redis", { skip: !redis_available() && "no Redis" }, () => {
  let pair;
  before(async () => {
    pair = await start_node_pair({ plugins: [{ name: "location", config: { min_interval: 0, ttl: TTL_MS } }] });
  });
  after(() => pair?.stop());

  function users(t, nodes = pair) {
    const on = { a: new Clients(t, nodes.a), b: new Clients(t, nodes.b) };
    return (node, user) =>
      on[node].connect(WEBSOCKET, { auth: { token: nodes.a.token(user) }, label: `${user}@${node}` });
  }

  test("a share on a reaches b's members live, and b's later joiners get it", async (t) => {
    const connect = users(t);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(bob, "location:join", { room });
    const { at } = await ok(alice, "location:share", { room, lat: 48.85, lng: 2.35, accuracy: 5 });
    const expected = { user: "alice", room, lat: 48.85, lng: 2.35, accuracy: 5, heading: null, speed: null, at };
    assert.deepEqual((await bob.inbox.next("location:update"))[0], expected);
    // b's book learns it from a's message, in its own time after the update.
    await until(async () => (await listed(bob, room)).length === 1, "b remembers alice's position");
    const carol = await connect("b", "carol");
    assert.deepEqual(await ok(carol, "location:join", { room }), { room, positions: [expected] });
    // A newer position replaces it on b too.
    const second = await ok(alice, "location:share", { room, lat: 48.86, lng: 2.36 });
    await until(async () => (await listed(carol, room))[0]?.at === second.at, "b has alice's newest position");
  });

  test("the ttl holds on b: an expired position is announced once and given to no joiner", async (t) => {
    const short = await start_node_pair({
      plugins: [{ name: "location", config: { min_interval: 0, ttl: SHORT_TTL_MS } }],
    });
    t.after(() => short.stop());
    const connect = users(t, short);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(bob, "location:join", { room });
    await ok(alice, "location:share", { room, lat: 1, lng: 1 });
    await bob.inbox.next("location:update");
    const [stopped] = await bob.inbox.next("location:stopped", { timeout: SHORT_TTL_MS + DEFAULT_TIMEOUT_MS });
    assert.deepEqual(stopped, { user: "alice", room, reason: "expired" });
    // Both nodes' clocks say it is past its ttl: b gives it to nobody.
    const dave = await connect("b", "dave");
    assert.deepEqual(await ok(dave, "location:join", { room }), { room, positions: [] });
    // Announced by a alone: a fence share arrives after any second announcement would.
    await ok(alice, "location:share", { room, lat: 2, lng: 2 });
    await bob.inbox.next("location:update", { where: ([u]) => u.lat === 2 });
    assert.equal(bob.inbox.all("location:stopped").length, 1);
  });

  test("a stop or a disconnect on a clears the position on b", async (t) => {
    const connect = users(t);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(bob, "location:join", { room });

    await ok(alice, "location:share", { room, lat: 3, lng: 3 });
    await until(async () => (await listed(bob, room)).length === 1, "b has the position");
    assert.deepEqual(await ok(alice, "location:stop", { room }), { stopped: 1 });
    assert.deepEqual((await bob.inbox.next("location:stopped"))[0], { user: "alice", room, reason: "stopped" });
    await until(async () => (await listed(bob, room)).length === 0, "b forgot the stopped position");

    await ok(alice, "location:share", { room, lat: 4, lng: 4 });
    await until(async () => (await listed(bob, room)).length === 1, "b has the new position");
    alice.socket.disconnect();
    assert.deepEqual((await bob.inbox.next("location:stopped"))[0], { user: "alice", room, reason: "disconnected" });
    await until(async () => (await listed(bob, room)).length === 0, "b forgot the disconnected device's position");
  });

  test("a stop from the user's device on b ends what their device on a shared, on both nodes", async (t) => {
    const connect = users(t);
    const alice_a = await connect("a", "alice");
    const alice_b = await connect("b", "alice");
    const bob = await connect("a", "bob");
    const room = fresh_room();
    for (const c of [alice_a, alice_b, bob]) await ok(c, "location:join", { room });
    await ok(alice_a, "location:share", { room, lat: 5, lng: 5 });
    await until(async () => (await listed(alice_b, room)).length === 1, "b has the position");
    assert.deepEqual(await ok(alice_b, "location:stop", {}), { stopped: 1 });
    assert.deepEqual((await bob.inbox.next("location:stopped"))[0], { user: "alice", room, reason: "stopped" });
    await until(async () => (await listed(bob, room)).length === 0, "a forgot it too");
  });

  test("a share to chosen users reaches their devices on b, and only theirs; b lists it for them", async (t) => {
    const connect = users(t);
    const alice = await connect("a", "alice");
    const bob = await connect("b", "bob");
    const eve = await connect("b", "eve");
    const { at } = await ok(alice, "location:share", { users: ["bob"], lat: -1, lng: -1 });
    const expected = { user: "alice", lat: -1, lng: -1, accuracy: null, heading: null, speed: null, at };
    assert.deepEqual((await bob.inbox.next("location:update"))[0], expected);
    await until(async () => (await ok(bob, "location:list", {})).positions.length === 1, "b lists it for bob");
    assert.deepEqual((await ok(bob, "location:list", {})).positions, [expected]);
    assert.deepEqual((await ok(eve, "location:list", {})).positions, []);
    assert.equal(eve.inbox.all("location:update").length, 0);
  });
});
