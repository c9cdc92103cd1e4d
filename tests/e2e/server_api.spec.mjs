// The server API (docs/server-api.md) as a backend uses it, with a real HTTP client,
// and what real socket.io-client users receive: emits to the namespace, rooms, users,
// socket ids, with except rooms and key order kept; sockets made to join, leave and
// disconnect; presence and room counts; the bus; and every refusal.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { Inbox, once, unique } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_call } from "./support/http.mjs";

const API_KEY = "server-api-spec-key-0123456789";
const KEY = { "x-api-key": API_KEY };

// Sockets of one test, closed when it ends (pass or fail).
function devices_for(t, d) {
  const open = [];
  t.after(() => open.forEach((s) => s.disconnect()));
  return async (user, { nsp = "/" } = {}) => {
    const socket = io(d.url + nsp, {
      forceNew: true,
      reconnection: false,
      autoConnect: false,
      transports: ["websocket"],
      auth: { token: d.token(user) },
    });
    open.push(socket);
    const device = { socket, user, inbox: new Inbox(socket, `${user} on ${nsp}`) };
    socket.connect();
    await once(socket, "connect", { what: `${user} connecting`, fail_on: ["connect_error"] });
    return device;
  };
}

// Emits a marker to everyone and waits for it on each device: whatever the API sent
// before it has arrived by then (one worker queue, in order), so an event that did
// not arrive is one that was not sent.
async function settle(d, devices, nsp = "/") {
  const marker = unique("marker");
  const answer = await api(d, "POST", "/api/emit", { nsp, event: "marker", data: [marker] });
  assert.equal(answer.status, 200, answer.text);
  await Promise.all(devices.map((dev) => dev.inbox.next("marker", { where: (args) => args[0] === marker })));
}

function api(d, method, path, body, headers = KEY) {
  return http_call(d.url, method, path, { body, headers });
}

function received(device, event) {
  return device.inbox.all(event);
}

describe("server API", () => {
  let d;
  before(async () => {
    d = await start_deployment({
      namespaces: [{ name: "/" }, { name: "/admin" }],
      plugins: [{ name: "notifications" }],
      extra: { api: { keys: [API_KEY], keys_env: [] } },
    });
  });
  after(async () => {
    await d?.stop();
  });

  it("emits to the whole namespace, with the arguments' key order and values as sent", async (t) => {
    const connect = devices_for(t, d);
    const alice = await connect("alice");
    const bob = await connect("bob");
    const body = '{"event":"news","data":[{"zeta":1,"alpha":{"y":true,"b":null}},"two",3.5,[1,2]]}';
    const answer = await api(d, "POST", "/api/emit", body);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body, { ok: true });
    for (const device of [alice, bob]) {
      const args = await device.inbox.next("news");
      assert.deepEqual(args, [{ zeta: 1, alpha: { y: true, b: null } }, "two", 3.5, [1, 2]]);
      assert.deepEqual(Object.keys(args[0]), ["zeta", "alpha"]);
      assert.deepEqual(Object.keys(args[0].alpha), ["y", "b"]);
    }
  });

  it("emits with no data as an event without arguments", async (t) => {
    const alice = await devices_for(t, d)("alice");
    assert.equal((await api(d, "POST", "/api/emit", { event: "ping-all" })).status, 200);
    assert.deepEqual(await alice.inbox.next("ping-all"), []);
  });

  it("emits to rooms, users and socket ids, minus except rooms", async (t) => {
    const connect = devices_for(t, d);
    const alice_phone = await connect("alice");
    const alice_laptop = await connect("alice");
    const bob = await connect("bob");
    const carol = await connect("carol");
    const room = unique("room");
    const joined = await api(d, "POST", "/api/sockets/join", { sockets: [bob.socket.id, carol.socket.id], join: [room] });
    assert.equal(joined.status, 200, joined.text);
    assert.deepEqual(joined.body, { sockets: 2 });

    assert.equal((await api(d, "POST", "/api/emit", { event: "to-room", rooms: [room], data: [1] })).status, 200);
    assert.equal((await api(d, "POST", "/api/emit", { event: "to-user", users: ["alice"], data: [2] })).status, 200);
    const one = { event: "to-socket", sockets: [carol.socket.id], data: [3] };
    assert.equal((await api(d, "POST", "/api/emit", one)).status, 200);
    const except = { event: "but-room", except_rooms: [room], data: [4] };
    assert.equal((await api(d, "POST", "/api/emit", except)).status, 200);
    const all = [alice_phone, alice_laptop, bob, carol];
    await settle(d, all);

    assert.deepEqual(received(bob, "to-room"), [[1]]);
    assert.deepEqual(received(carol, "to-room"), [[1]]);
    assert.deepEqual(received(alice_phone, "to-room"), []);
    assert.deepEqual(received(alice_phone, "to-user"), [[2]]);
    assert.deepEqual(received(alice_laptop, "to-user"), [[2]]);
    assert.deepEqual(received(bob, "to-user"), []);
    assert.deepEqual(received(carol, "to-socket"), [[3]]);
    assert.deepEqual(received(bob, "to-socket"), []);
    assert.deepEqual(received(alice_phone, "but-room"), [[4]]);
    assert.deepEqual(received(bob, "but-room"), []);
    assert.deepEqual(received(carol, "but-room"), []);
  });

  it("reaches a numeric user id given as a number or as a string", async (t) => {
    const connect = devices_for(t, d);
    const user = await connect("4242");
    assert.equal((await api(d, "POST", "/api/emit", { event: "n", users: [4242] })).status, 200);
    assert.equal((await api(d, "POST", "/api/emit", { event: "s", users: ["4242"] })).status, 200);
    await user.inbox.next("n");
    await user.inbox.next("s");
  });

  it("emits in another namespace only there", async (t) => {
    const connect = devices_for(t, d);
    const root = await connect("alice");
    const admin = await connect("alice", { nsp: "/admin" });
    assert.equal((await api(d, "POST", "/api/emit", { nsp: "/admin", event: "audit", data: ["x"] })).status, 200);
    assert.deepEqual(await admin.inbox.next("audit"), ["x"]);
    await settle(d, [root]);
    assert.deepEqual(received(root, "audit"), []);
  });

  it("accepts a volatile emit", async (t) => {
    const alice = await devices_for(t, d)("alice");
    assert.equal((await api(d, "POST", "/api/emit", { event: "tick", volatile: true, data: [1] })).status, 200);
    assert.deepEqual(await alice.inbox.next("tick"), [1]);
  });

  it("makes sockets leave rooms", async (t) => {
    const connect = devices_for(t, d);
    const bob = await connect("bob");
    const room = unique("room");
    assert.deepEqual((await api(d, "POST", "/api/sockets/join", { users: ["bob"], join: [room] })).body, { sockets: 1 });
    assert.deepEqual((await api(d, "GET", `/api/rooms/${room}/count`)).body, { sockets: 1, nodes: 1, partial: false });
    assert.deepEqual((await api(d, "POST", "/api/sockets/leave", { rooms: [room], leave: [room] })).body, { sockets: 1 });
    assert.deepEqual((await api(d, "GET", `/api/rooms/${room}/count`)).body, { sockets: 0, nodes: 1, partial: false });
    assert.equal((await api(d, "POST", "/api/emit", { event: "gone", rooms: [room] })).status, 200);
    await settle(d, [bob]);
    assert.deepEqual(received(bob, "gone"), []);
  });

  it("disconnects the sockets it selects, and only those", async (t) => {
    const connect = devices_for(t, d);
    const mallory = await connect("mallory");
    const alice = await connect("alice");
    const leaving = once(mallory.socket, "disconnect", { what: "mallory disconnected" });
    const answer = await api(d, "POST", "/api/sockets/disconnect", { users: ["mallory"] });
    assert.deepEqual(answer.body, { sockets: 1 });
    const [reason] = await leaving;
    assert.equal(reason, "io server disconnect");
    await settle(d, [alice]);
    assert.equal(alice.socket.connected, true);
  });

  it("says who is online and on how many sockets", async (t) => {
    const connect = devices_for(t, d);
    const user = unique("dora");
    await connect(user);
    await connect(user);
    const one = await api(d, "GET", `/api/presence/users/${encodeURIComponent(user)}`);
    assert.deepEqual(one.body, { id: user, online: true, sessions: 2 });
    const nobody = await api(d, "GET", "/api/presence/users/no-such-user");
    assert.deepEqual(nobody.body, { id: "no-such-user", online: false, sessions: 0 });
    const page = await api(d, "GET", "/api/presence/users?limit=1000");
    assert.equal(page.status, 200);
    assert.ok(page.body.users.includes(user), JSON.stringify(page.body));
    assert.equal(page.body.total, page.body.users.length);
    const first = await api(d, "GET", "/api/presence/users?offset=0&limit=1");
    assert.equal(first.body.users.length, 1);
    assert.equal(first.body.limit, 1);
    assert.equal((await api(d, "GET", "/api/presence/users?limit=5000")).body.error.code, "invalid_query");
    assert.equal((await api(d, "GET", "/api/presence/users?offset=-1")).body.error.code, "invalid_query");
  });

  it("counts a room's sockets in a namespace", async (t) => {
    const connect = devices_for(t, d);
    const a = await connect("alice", { nsp: "/admin" });
    const b = await connect("bob", { nsp: "/admin" });
    const room = `team ${unique("x")}+1`;
    const joined = await api(d, "POST", "/api/sockets/join", { nsp: "/admin", sockets: [a.socket.id, b.socket.id], join: [room] });
    assert.deepEqual(joined.body, { sockets: 2 });
    const path = `/api/rooms/${encodeURIComponent(room)}/count?nsp=%2Fadmin`;
    assert.deepEqual((await api(d, "GET", path)).body, { sockets: 2, nodes: 1, partial: false });
    assert.deepEqual((await api(d, "GET", `/api/rooms/${encodeURIComponent(room)}/count`)).body, {
      sockets: 0,
      nodes: 1,
      partial: false,
    });
  });

  it("publishes on the plugins' bus", async (t) => {
    const bob = await devices_for(t, d)("bob");
    const answer = await api(d, "POST", "/api/publish", {
      topic: "notifications:send",
      payload: { userId: "bob", type: "like", title: "Alice liked your post", message: "", data: { postId: 7 } },
    });
    assert.equal(answer.status, 202, answer.text);
    const [{ notification }] = await bob.inbox.next("notification:new");
    assert.equal(notification.title, "Alice liked your post");
  });

  it("is reachable from the command line: switchboard emit", async (t) => {
    const alice = await devices_for(t, d)("alice");
    const sent = d.cli("emit", "from-cli", '{"b":1,"a":[true]}', '"text"', "--user", "alice", "--url", d.url);
    assert.equal(sent.status, 0, sent.stderr);
    const args = await alice.inbox.next("from-cli");
    assert.deepEqual(args, [{ b: 1, a: [true] }, "text"]);
    assert.deepEqual(Object.keys(args[0]), ["b", "a"]);
    const bad = d.cli("emit", "from-cli", "not-json", "--url", d.url);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /argument 1 is not JSON/);
  });

  it("takes the key in X-API-Key or Authorization: apikey / Bearer", async () => {
    for (const headers of [KEY, { authorization: `apikey ${API_KEY}` }, { authorization: `Bearer ${API_KEY}` }]) {
      const answer = await api(d, "POST", "/api/emit", { event: "k" }, headers);
      assert.equal(answer.status, 200, JSON.stringify(headers));
    }
  });

  it("refuses calls without the right key", async () => {
    for (const headers of [{}, { "x-api-key": "wrong" }, { "x-api-key": `${API_KEY}x` }, { authorization: "apikey" }]) {
      const answer = await api(d, "POST", "/api/emit", { event: "k" }, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.body.error.code, "unauthorized");
      assert.equal(typeof answer.body.error.message, "string");
    }
    assert.equal((await api(d, "GET", "/api/presence/users", undefined, {})).status, 401);
  });

  it("refuses bad requests with a code and a message", async () => {
    const cases = [
      ["POST", "/api/emit", "{not json", 400, "invalid_json"],
      ["POST", "/api/emit", "[1,2]", 400, "invalid_payload"],
      ["POST", "/api/emit", { data: [1] }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "" }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: 7 }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "connect" }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "e", data: { a: 1 } }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "e", rooms: "lobby" }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "e", rooms: [""] }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "e", users: [{ id: 1 }] }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "e", volatile: "yes" }, 400, "invalid_payload"],
      ["POST", "/api/emit", { event: "e", nsp: "/nowhere" }, 404, "unknown_namespace"],
      ["GET", "/api/emit", undefined, 405, "method_not_allowed"],
      ["POST", "/api/sockets/join", { rooms: ["a"] }, 400, "invalid_payload"],
      ["POST", "/api/sockets/leave", { leave: "a" }, 400, "invalid_payload"],
      ["POST", "/api/sockets/explode", {}, 404, "not_found"],
      ["POST", "/api/publish", { payload: 1 }, 400, "invalid_payload"],
      ["GET", "/api/rooms/lobby/count?nsp=%2Fnowhere", undefined, 404, "unknown_namespace"],
      ["GET", "/api/rooms/lobby", undefined, 404, "not_found"],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await api(d, method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(answer.body?.error?.code, code, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(typeof answer.body.error.message, "string");
    }
  });

  it("keeps serving clients after every refusal", async (t) => {
    const alice = await devices_for(t, d)("alice");
    await api(d, "POST", "/api/emit", "\u0000\u0001garbage");
    assert.equal((await api(d, "POST", "/api/emit", { event: "still-here" })).status, 200);
    await alice.inbox.next("still-here");
  });
});

describe("server API without a key", () => {
  let d;
  before(async () => {
    d = await start_deployment({ extra: { api: { keys_env: ["SWITCHBOARD_SPEC_UNSET_KEY"] } } });
  });
  after(async () => {
    await d?.stop();
  });

  it("is off, and says how to turn it on", async () => {
    const answer = await api(d, "POST", "/api/emit", { event: "e" });
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, "api_disabled");
    assert.match(answer.body.error.message, /api\.keys/);
  });
});
