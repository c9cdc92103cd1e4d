// The location plugin with real socket.io-client users: shares to a room reach its
// members only, shares to chosen users reach those users only, the throttle refuses
// what comes too fast and admits what waited, last known positions go to joiners until
// their ttl, and stop / leave / disconnect / expiry end a share for its audience.
// No database: the plugin keeps everything in memory, so this runs on SQLite only.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { ok, refused } from "../support/acks.mjs";
import { Clients } from "../support/client.mjs";
import { SWITCHBOARD_BIN, start_deployment } from "../support/deployment.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };
// location-probe (a join hook refusing location:private-* to non-staff) lives here.
const PROBE_DIR = path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let rooms = 0;
const fresh_room = (prefix = "room") => `${prefix}-${++rooms}-${Date.now()}`;

function users_of(d, t) {
  const clients = new Clients(t, d);
  return (user) => clients.connect(WEBSOCKET, { auth: { token: d.token(user) }, label: user });
}

// A "nothing more arrived" check without sleeping: `sender` shares to a fence room that
// `receiver` joined; shares from one socket reach a receiver in order, so once the fence
// update is in, anything sent before it has arrived too.
async function fence(sender, receiver) {
  const room = fresh_room("fence");
  await ok(sender, "location:join", { room });
  await ok(receiver, "location:join", { room });
  await ok(sender, "location:share", { room, lat: 0, lng: 0 });
  await receiver.inbox.next("location:update", { where: ([u]) => u.room === room });
}

describe("location", () => {
  let d;
  before(async () => {
    d = await start_deployment({
      plugins: [
        { name: "location", config: { min_interval: 2000, ttl: 60000, max_recipients: 3 } },
        { name: "location-probe" },
      ],
      extra: { plugin_path: [PROBE_DIR] },
    });
  });
  after(() => d?.stop());

  test("a share reaches the room's other members with the sharer stamped, and its ack the time", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const alice2 = await connect("alice");
    const bob = await connect("bob");
    const room = fresh_room();
    for (const c of [alice, alice2, bob]) assert.deepEqual(await ok(c, "location:join", { room }), { room, positions: [] });
    const before_share = Date.now();
    const { at } = await ok(alice, "location:share", { room, lat: 35.6762, lng: 139.6503, accuracy: 8, heading: 90 });
    assert.ok(at >= before_share - 1000 && at <= Date.now() + 1000, `at ${at}`);
    const expected = { user: "alice", room, lat: 35.6762, lng: 139.6503, accuracy: 8, heading: 90, speed: null, at };
    assert.deepEqual((await bob.inbox.next("location:update"))[0], expected);
    // The user's other device sees it; the sharing socket learns from its ack only.
    assert.deepEqual((await alice2.inbox.next("location:update"))[0], expected);
    await fence(bob, alice);
    assert.equal(alice.inbox.all("location:update").filter(([u]) => u.room === room).length, 0);
  });

  test("privacy: a socket that did not join never receives, and cannot share to the room", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const eve = await connect("eve");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(bob, "location:join", { room });
    await ok(alice, "location:share", { room, lat: 1, lng: 2 });
    await bob.inbox.next("location:update");
    await fence(alice, eve);
    assert.equal(eve.inbox.all("location:update").filter(([u]) => u.room === room).length, 0);
    await refused(eve, "location:share", { room, lat: 1, lng: 2 }, "forbidden");
    await refused(eve, "location:list", { room }, "forbidden");
    // Without an ack callback the refusal comes as location:error.
    eve.socket.emit("location:share", { room, lat: 1, lng: 2 });
    const [error] = await eve.inbox.next("location:error");
    assert.equal(error.event, "location:share");
    assert.equal(error.code, "forbidden");
  });

  test("privacy: a share to chosen users reaches them only, and none learns who else got it", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const bob2 = await connect("bob");
    const carol = await connect("carol");
    const dan = await connect("dan");
    const { at } = await ok(alice, "location:share", { users: ["bob", "carol"], lat: -33.8688, lng: 151.2093 });
    const expected = { user: "alice", lat: -33.8688, lng: 151.2093, accuracy: null, heading: null, speed: null, at };
    for (const c of [bob, bob2, carol]) assert.deepEqual((await c.inbox.next("location:update"))[0], expected);
    await ok(alice, "location:share", { users: ["dan"], lat: 0, lng: 0 });
    await dan.inbox.next("location:update");
    assert.equal(dan.inbox.all("location:update").length, 1, "dan got only his own share");
    // A device that connects later asks for what is shared with it.
    const carol2 = await connect("carol");
    assert.deepEqual(await ok(carol2, "location:list", {}), { positions: [expected] });
    assert.deepEqual(await ok(dan, "location:list", {}), { positions: [dan.inbox.all("location:update")[0][0]] });
    await refused(alice, "location:share", { users: ["alice"], lat: 0, lng: 0 }, "invalid_payload");
    await refused(alice, "location:share", { users: ["a", "b", "c", "d"], lat: 0, lng: 0 }, "invalid_payload");
  });

  test("privacy: the deployment's join hooks decide who may follow a room", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const sam = await connect("staff-sam");
    const room = fresh_room("private");
    const error = await refused(alice, "location:join", { room }, "forbidden");
    assert.equal(error.message, "staff only");
    await refused(alice, "location:share", { room, lat: 0, lng: 0 }, "forbidden");
    assert.deepEqual(await ok(sam, "location:join", { room }), { room, positions: [] });
  });

  test("a joiner gets the last known position of each sharer; stop ends it for the room", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(bob, "location:join", { room });
    await ok(alice, "location:share", { room, lat: 10, lng: 20 });
    const { at } = await ok(bob, "location:share", { room, lat: 30, lng: 40, speed: 1.5 });
    const carol = await connect("carol");
    const joined = await ok(carol, "location:join", { room });
    const by_user = Object.fromEntries(joined.positions.map((p) => [p.user, p]));
    assert.deepEqual(Object.keys(by_user).sort(), ["alice", "bob"]);
    assert.deepEqual(by_user.bob, { user: "bob", room, lat: 30, lng: 40, accuracy: null, heading: null, speed: 1.5, at });
    assert.deepEqual(await ok(alice, "location:stop", { room }), { stopped: 1 });
    assert.deepEqual((await carol.inbox.next("location:stopped"))[0], { user: "alice", room, reason: "stopped" });
    assert.deepEqual((await ok(carol, "location:list", { room })).positions.map((p) => p.user), ["bob"]);
    // Stopping what is not shared is not an error.
    assert.deepEqual(await ok(alice, "location:stop", { room }), { stopped: 0 });
  });

  test("leaving the room or disconnecting ends that device's share for the others", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const carol = await connect("carol");
    const room = fresh_room();
    for (const c of [alice, bob, carol]) await ok(c, "location:join", { room });
    await ok(alice, "location:share", { room, lat: 1, lng: 1 });
    await ok(bob, "location:share", { room, lat: 2, lng: 2 });
    assert.deepEqual(await ok(alice, "location:leave", { room }), { room });
    assert.deepEqual((await carol.inbox.next("location:stopped"))[0], { user: "alice", room, reason: "left" });
    await refused(alice, "location:share", { room, lat: 1, lng: 1 }, "forbidden");
    bob.socket.disconnect();
    assert.deepEqual((await carol.inbox.next("location:stopped"))[0], { user: "bob", room, reason: "disconnected" });
    assert.deepEqual((await ok(carol, "location:list", { room })).positions, []);
  });

  test("throttle: a second share within min_interval is refused, one after the wait it names is admitted", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const alice2 = await connect("alice");
    const room = fresh_room();
    const other = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(alice, "location:join", { room: other });
    await ok(alice2, "location:join", { room });
    await ok(alice, "location:share", { room, lat: 1, lng: 1 });
    // The budget is the user's, whatever the device.
    const error = await refused(alice2, "location:share", { room, lat: 1, lng: 1 }, "rate_limited");
    const wait = Number(/retry in (\d+) ms/.exec(error.message)?.[1]);
    assert.ok(wait > 0 && wait <= 2000, error.message);
    // Another audience has its own budget.
    await ok(alice, "location:share", { room: other, lat: 1, lng: 1 });
    // Waiting what the refusal said is enough, however loaded the machine. (The interval is
    // long so that two shares in a row fall within it on a slow machine too.)
    await sleep(wait);
    await ok(alice2, "location:share", { room, lat: 2, lng: 2 });
  });

  test("every bad payload is answered with invalid_payload", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    for (const payload of [
      { room, lat: 91, lng: 0 },
      { room, lat: 0, lng: -181 },
      { room, lat: "1", lng: 0 },
      { room, lng: 0 },
      { room, lat: 0, lng: 0, accuracy: -5 },
      { room, lat: 0, lng: 0, heading: 400 },
      { lat: 0, lng: 0 },
      { room, users: ["bob"], lat: 0, lng: 0 },
    ])
      await refused(alice, "location:share", payload, "invalid_payload");
    await refused(alice, "location:share", "here", "invalid_payload");
    await refused(alice, "location:join", { room: "" }, "invalid_payload");
    await refused(alice, "location:join", { room: 5 }, "invalid_payload");
    await refused(alice, "location:stop", { room, users: ["bob"] }, "invalid_payload");
  });
});

describe("location ttl", () => {
  let d;
  before(async () => {
    d = await start_deployment({ plugins: [{ name: "location", config: { min_interval: 0, ttl: 300, max_rooms: 2 } }] });
  });
  after(() => d?.stop());

  test("a position expires after the ttl: the audience is told, joiners and lists no longer get it", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const room = fresh_room();
    await ok(alice, "location:join", { room });
    await ok(bob, "location:join", { room });
    await ok(alice, "location:share", { room, lat: 5, lng: 5 });
    await ok(alice, "location:share", { users: ["bob"], lat: 6, lng: 6 });
    await bob.inbox.next("location:update", { where: ([u]) => u.room === room });
    const expiries = [
      bob.inbox.next("location:stopped", { where: ([s]) => s.room === room }),
      bob.inbox.next("location:stopped", { where: ([s]) => s.room === undefined }),
    ];
    const [[in_room], [direct]] = await Promise.all(expiries);
    assert.deepEqual(in_room, { user: "alice", room, reason: "expired" });
    assert.deepEqual(direct, { user: "alice", reason: "expired" });
    const carol = await connect("carol");
    assert.deepEqual(await ok(carol, "location:join", { room }), { room, positions: [] });
    assert.deepEqual(await ok(bob, "location:list", {}), { positions: [] });
    // Sharing again starts a new share.
    await ok(alice, "location:share", { room, lat: 7, lng: 7 });
    assert.equal((await carol.inbox.next("location:update"))[0].lat, 7);
  });

  test("a socket follows at most max_rooms rooms", async (t) => {
    const connect = users_of(d, t);
    const alice = await connect("alice");
    const [first, second, third] = [fresh_room(), fresh_room(), fresh_room()];
    await ok(alice, "location:join", { room: first });
    await ok(alice, "location:join", { room: second });
    await ok(alice, "location:join", { room: second });
    await refused(alice, "location:join", { room: third }, "limit_reached");
    await ok(alice, "location:leave", { room: first });
    await ok(alice, "location:join", { room: third });
  });
});
