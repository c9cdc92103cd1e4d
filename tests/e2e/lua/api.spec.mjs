// The switchboard Lua module, call by call, from a script (fixtures/api.lua) through
// the real socket.io-client.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, assert_same, fence, is_binary, once, request, request_all, unique } from "../support/client.mjs";
import { log_line, start_lua } from "./support.mjs";

const WS = { name: "websocket", options: { transports: ["websocket"] } };

let d;
before(async () => {
  d = await start_lua({
    fixtures: ["api.lua", "util.lua"],
    config: { settings: { greeting: "hi", limits: { rooms: 3 } } },
    namespaces: [
      { name: "/", anonymous: false },
      { name: "/custom", anonymous: false },
      { name: "/open", anonymous: true },
    ],
    log_level: "debug",
  });
});
after(async () => {
  await d?.stop();
});

// A connected client of user `user` (a JWT), with its inbox.
async function client(t, { user = unique("user"), nsp = "/", auth = {}, query } = {}) {
  const clients = t.clients ?? (t.clients = new Clients(t, d));
  const c = await clients.connect(WS, { nsp, auth: user ? { token: d.token(user), ...auth } : auth, query });
  c.user = user;
  return c;
}

describe("hooks", () => {
  test("on_connect sees the socket, the auth payload, the user and the handshake", async (t) => {
    const c = await client(t, { user: "alice", auth: { extra: 1 }, query: { lang: "fr" } });
    const [welcome] = await c.inbox.next("welcome");
    assert.equal(welcome.id, c.socket.id);
    assert.equal(welcome.nsp, "/");
    assert.equal(welcome.auth.extra, 1);
    assert.equal(welcome.user.id, "alice");
    assert.equal(welcome.query.lang, "fr");
  });

  test("on_connect refuses with its message and code", async (t) => {
    const clients = new Clients(t, d);
    const c = clients.create(WS, { auth: { token: d.token("bob"), refuse: true } });
    c.socket.connect();
    const [error] = await once(c.socket, "connect_error");
    assert.equal(error.message, "refused by the script");
    assert.equal(error.data.code, "go_away");
  });

  test("on_disconnect runs with the reason", async (t) => {
    const watcher = await client(t);
    await request(watcher, "join", "watchers");
    const leaving = await client(t);
    const id = leaving.socket.id;
    leaving.socket.disconnect();
    const [left] = await watcher.inbox.next("left", { where: ([l]) => l.id === id });
    assert.equal(left.reason, "client namespace disconnect");
  });

  test("on_join authorizes joins asked with authorize = true", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request(c, "join", "private:x", true), { code: "forbidden", message: "private rooms are closed" });
    assert.equal(await request(c, "join", "public:x", true), true);
    // Without authorize, the hooks are not asked.
    assert.equal(await request(c, "join", "private:y", false), true);
    // An inline handler joins, but cannot wait for the hooks.
    assert.equal(await request(c, "join-inline", "public:z", false), true);
    assert.equal((await request(c, "join-inline", "public:z", true)).code, "not_allowed_here");
  });

  test("on_auth admits a client the JWT check would not, and refuses with a code", async (t) => {
    const ok = await client(t, { user: null, auth: { api_key: "secret-key" } });
    const me = await request(ok, "whoami");
    assert.equal(me.user.id, "key-user");
    const clients = new Clients(t, d);
    const bad = clients.create(WS, { auth: { api_key: "wrong" } });
    bad.socket.connect();
    const [error] = await once(bad.socket, "connect_error");
    assert.equal(error.message, "bad api key");
    assert.equal(error.data.code, "invalid_key");
  });

  test("on_presence sees a user's first session arrive and last one leave", async (t) => {
    const watcher = await client(t);
    await request(watcher, "join", "watchers");
    const user = unique("carol");
    const first = await client(t, { user });
    await watcher.inbox.next("presence", { where: ([p]) => p.user === user && p.online === true });
    const [online, sessions] = await request_all(first, "online", user);
    assert.ok(online.includes(user));
    assert.equal(sessions, 1);
    const second = await client(t, { user });
    assert.equal((await request_all(second, "online", user))[1], 2);
    second.socket.disconnect();
    first.socket.disconnect();
    await watcher.inbox.next("presence", { where: ([p]) => p.user === user && p.online === false });
  });
});

describe("ctx and acks", () => {
  test("ctx carries the socket, namespace, event, user, auth and handshake", async (t) => {
    const c = await client(t, { user: "dave", auth: { device: "phone" }, query: { v: "2" } });
    const me = await request(c, "whoami");
    assert.equal(me.id, c.socket.id);
    assert.equal(typeof me.handle, "number");
    assert.equal(me.nsp, "/");
    assert.equal(me.socket_nsp, "/");
    assert.equal(me.event, "whoami");
    assert.equal(me.user.id, "dave");
    assert.equal(me.user_id, "dave");
    assert.equal(me.auth.device, "phone");
    assert.equal(me.has_headers, true);
    assert.equal(me.query.v, "2");
    assert.equal(me.address, "127.0.0.1");
  });

  test("an anonymous socket has no ctx.user", async (t) => {
    const c = await client(t, { user: null, nsp: "/open" });
    const me = await request(c, "whoami");
    assert.equal(me.user, null);
    assert.equal(me.user_id, null);
    assert.equal(me.nsp, "/open");
  });

  test("the values a handler returns are the ack; none is an empty ack", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request_all(c, "ack-many", { x: 1 }, [2]), ["a", 2, { x: 1 }, [2]]);
    assert.deepEqual(await request_all(c, "ack-none"), []);
  });

  test("an error becomes an error ack: a table keeps its code, a string is script_error", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request(c, "ack-error"), { code: "forbidden", message: "not you" });
    assert.deepEqual(await request(c, "ack-error-string"), { code: "script_error", message: "plain failure" });
    const line = await log_line(d, /ack-error-string.*failed: \S*api\.lua:\d+: plain failure/);
    assert.match(line, /ERROR/);
  });

  test("an inline handler answers from the network worker", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request_all(c, "inline-echo", 1, "two"), ["inline-echo", 1, "two"]);
  });

  test("a handler for one namespace wins over the one for every namespace", async (t) => {
    const main = await client(t);
    const custom = await client(t, { nsp: "/custom" });
    assert.equal(await request(custom, "only-custom"), "custom");
    assert.equal(await request(main, "only-custom"), "any other");
  });

  test("an event no script handles is ignored, as by the reference server", async (t) => {
    const c = await client(t);
    await assert.rejects(
      new Promise((resolve, reject) =>
        c.socket.timeout(300).emit("nobody-handles-this", (error) => (error ? reject(error) : resolve())),
      ),
    );
    assert.equal(await request(c, "inline-echo"), "inline-echo");
  });

  test("a value with no JSON form fails the event with a clear message", async (t) => {
    const c = await client(t);
    const answer = await request(c, "return-function");
    assert.equal(answer.code, "script_error");
    assert.match(answer.message, /function has no JSON form/);
  });
});

describe("rooms and emits", () => {
  test("join and leave, as socket methods and module functions", async (t) => {
    const [a, b] = [await client(t), await client(t)];
    const room = unique("room");
    assert.equal(await request(a, "join", room), true);
    assert.equal(await request(b, "join-fn", room), true);
    await request(a, "emit", { to: room, event: "in-room", args: [1] });
    await a.inbox.next("in-room");
    await b.inbox.next("in-room");
    assert.equal(await request(a, "leave", room), true);
    assert.equal(await request(b, "leave-fn", room), true);
    await request(a, "emit", { to: room, event: "in-room", args: [2] });
    await fence(a, [a, b]);
    assert.equal(a.inbox.all("in-room").length, 1);
    assert.equal(b.inbox.all("in-room").length, 1);
  });

  test("socket:rooms() and socket:in_room() answer for the event's socket, pooled and inline", async (t) => {
    const user = unique("user");
    const c = await client(t, { user });
    const [second, first] = [unique("room-b"), unique("room-a")];
    for (const room of [second, first]) assert.equal(await request(c, "join", room), true);
    // The signed-in socket is in its user's room too.
    const rooms = [first, second, `user:${user}`].sort();
    for (const event of ["my-rooms", "my-rooms-inline"]) {
      assert.deepEqual(await request(c, event, first), { rooms, in_room: true }, event);
      assert.deepEqual(await request(c, event, "elsewhere"), { rooms, in_room: false }, event);
    }
  });

  test("emit to rooms, except rooms, except the sender, several args and binary", async (t) => {
    const [a, b, c] = [await client(t), await client(t), await client(t)];
    const [red, blue] = [unique("red"), unique("blue")];
    await request(a, "join", red);
    await request(b, "join", red);
    await request(b, "join", blue);
    await request(c, "join", blue);
    await request(a, "emit", { to: [red, blue], except: blue, event: "e1", args: ["x", Buffer.from([7, 8])] });
    await request(a, "emit", { to: red, exclude_self: true, event: "e2", args: [] });
    await request(a, "emit", { event: "e3", args: [{ all: true }], exclude_self: true, except: [blue] });
    await fence(a, [a, b, c]);
    assert.equal(a.inbox.all("e1").length, 1);
    assert_same(a.inbox.all("e1")[0], ["x", Buffer.from([7, 8])]);
    assert.equal(b.inbox.all("e1").length, 0);
    assert.equal(c.inbox.all("e1").length, 0);
    assert.deepEqual([a, b, c].map((x) => x.inbox.all("e2").length), [0, 1, 0]);
    assert.equal(a.inbox.all("e3").length, 0);
    assert.equal(b.inbox.all("e3").length, 0);
    assert.equal(c.inbox.all("e3").length, 0);
  });

  test("emit to a socket, with the socket method, to a user's every device, to a namespace", async (t) => {
    const user = unique("erin");
    const [phone, laptop] = [await client(t, { user }), await client(t, { user })];
    const other = await client(t);
    const custom = await client(t, { nsp: "/custom" });
    await request(phone, "emit-forms", "socket", { n: 1 });
    assert.deepEqual(await phone.inbox.next("form"), [{ n: 1 }]);
    await request(phone, "emit-forms", "socket-method", 5);
    assert.deepEqual(await phone.inbox.next("form"), [5, "second"]);
    await request(phone, "emit-forms", "user", "to every device");
    assert.deepEqual(await laptop.inbox.next("form"), ["to every device"]);
    assert.deepEqual(await phone.inbox.next("form"), ["to every device"]);
    await request(other, "emit-forms", "namespace", "custom only");
    assert.deepEqual(await custom.inbox.next("form"), ["custom only"]);
    await fence(other, [other, phone, laptop]);
    assert.equal(other.inbox.all("form").length, 0);
  });

  test("a volatile emit arrives to a client that keeps up", async (t) => {
    const a = await client(t);
    await request(a, "emit", { to: a.socket.id, event: "v", args: [1], volatile: true });
    assert.deepEqual(await a.inbox.next("v"), [1]);
  });

  test("ask waits for the client's answer, with binary, in each form", async (t) => {
    const c = await client(t);
    c.socket.on("question", (...args) => {
      const ack = args.pop();
      ack(...args, "answered", Buffer.from([1, 2]));
    });
    const result = await request(c, "ask", { event: "question", args: ["why?"], timeout: 2000 });
    assert_same(result, { response: ["why?", "answered", Buffer.from([1, 2])] });
    assert_same(await request_all(c, "ask-fn", 42), [[42, "answered", Buffer.from([1, 2])]]);
    assert_same(await request_all(c, "ask-method", "q"), [["q", "answered", Buffer.from([1, 2])]]);
  });

  test("an inline handler may ask too, and stays inline when the answer resumes it", async (t) => {
    const c = await client(t);
    c.socket.on("question", (q, ack) => ack(q * 2));
    assert.deepEqual(await request_all(c, "ask-inline", 21), [[42], false, "not_allowed_here"]);
  });

  test("ask gives nil, \"timeout\" when the client does not answer", async (t) => {
    const c = await client(t);
    c.socket.on("silence", () => {});
    assert.deepEqual(await request(c, "ask", { event: "silence", timeout: 200 }), { error: "timeout" });
    // The handler parked and resumed: the socket's other events were served meanwhile.
    assert.equal(await request(c, "inline-echo"), "inline-echo");
  });

  test("disconnect ends the namespace and, with true, the whole connection", async (t) => {
    const a = await client(t);
    a.socket.emit("disconnect-me");
    assert.equal((await once(a.socket, "disconnect"))[0], "io server disconnect");
    const b = await client(t);
    b.socket.emit("disconnect-me", true);
    // No DISCONNECT packet: the transport closes, and the client would reconnect.
    assert.equal((await once(b.socket, "disconnect"))[0], "transport close");
    const c = await client(t);
    c.socket.emit("disconnect-fn");
    assert.equal((await once(c.socket, "disconnect"))[0], "io server disconnect");
  });
});

describe("timers", () => {
  test("a one-shot timer fires once, later", async (t) => {
    const c = await client(t);
    const started = Date.now();
    assert.equal(await request(c, "timer-once", 150), true);
    assert.deepEqual(await c.inbox.next("timer-fired"), [150]);
    assert.ok(Date.now() - started >= 140, "not before its delay");
  });

  test("a periodic timer ticks until the script cancels it", async (t) => {
    const c = await client(t);
    assert.equal(await request(c, "timer-every", 40, 3), "number");
    for (const n of [1, 2, 3]) assert.deepEqual(await c.inbox.next("tick"), [n]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(c.inbox.all("tick").length, 3);
  });

  test("cancel_timer stops a timer and says whether there was one", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request_all(c, "timer-cancel"), [true, false]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(c.inbox.all("should-not-fire").length, 0);
  });

  test("a timer declared at load runs once per period, not once per Lua state", async (t) => {
    const c = await client(t);
    await request(c, "join", "heartbeat");
    await c.inbox.next("heartbeat");
    const first = Date.now();
    for (let i = 0; i < 12; i++) await c.inbox.next("heartbeat");
    const elapsed = Date.now() - first;
    // The next beat is armed 100 ms after one fires: a stall only spaces them out. So in
    // `elapsed` at most elapsed/100 beats, plus slack for the first beat's own delivery
    // delay; a timer per Lua state would bring twice as many.
    const beats = c.inbox.all("heartbeat").length - 1;
    assert.ok(beats <= elapsed / 100 + 4, `about one beat per 100 ms, got ${beats} in ${elapsed} ms`);
  });
});

describe("config, log, metrics, values", () => {
  test("switchboard.config is the settings section", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request(c, "config"), { greeting: "hi", limits: { rooms: 3 } });
  });

  test("log lines carry the plugin, the level, the script and its line", async (t) => {
    const c = await client(t);
    const text = unique("note");
    assert.equal(await request(c, "log", text), true);
    assert.match(await log_line(d, new RegExp(`WARN .*\\[lua\\] \\S*api\\.lua:\\d+: warned: ${text}`)), /WARN/);
    assert.match(await log_line(d, new RegExp(`ERROR .*\\[lua\\] \\S*api\\.lua:\\d+: errored: ${text}`)), /ERROR/);
    for (const what of ["logged", "informed", "printed"])
      assert.match(await log_line(d, new RegExp(`INFO .*\\[lua\\] \\S*api\\.lua:\\d+: ${what}: ${text}`)), /INFO/);
    assert.match(await log_line(d, new RegExp(`DEBUG .*debugged: ${text}`)), /DEBUG/);
  });

  test("count adds to a counter on /metrics", async (t) => {
    const c = await client(t);
    await request(c, "count", 5);
    await request(c, "count", 2);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    assert.match(metrics, /switchboard_plugin_lua_script_events 7/);
    assert.match(metrics, /switchboard_plugin_lua_script_calls 2/);
  });

  test("values: null, empty array and object, binary, numbers and text keep their JSON form", async (t) => {
    const c = await client(t);
    const v = await request(c, "values");
    assert.equal(v.null, null);
    assert.deepEqual(v.empty_array, []);
    assert.deepEqual(v.empty_object, {});
    assert.deepEqual(v.marked, [1, 2]);
    assert.ok(is_binary(v.bytes));
    assert_same(v.bytes, Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(v.list, [1, 2, 3]);
    assert.deepEqual(v.nested, { a: { b: { c: true } } });
    assert.equal(v.float, 1.5);
    assert.equal(v.integer, 9007199254740991);
    assert.equal(v.text, "héllo ✓");
  });

  test("what a script receives: null, binary and their sizes", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request_all(c, "inspect", null), ["null", null]);
    assert.deepEqual(await request_all(c, "inspect", Buffer.from([1, 2, 3])), ["binary", 3]);
    assert.deepEqual(await request_all(c, "inspect", [null]), ["table", null]);
    assert.deepEqual(await request_all(c, "inspect", "s"), ["string", null]);
  });

  test("json encode and decode round-trip; bad JSON is nil and a message", async (t) => {
    const c = await client(t);
    const value = { a: [1, 2, { b: null }], c: "d", e: [], f: {} };
    const [text, back, bad_is_reported] = await request_all(c, "json", value);
    assert.deepEqual(JSON.parse(text), value);
    assert.deepEqual(back, value);
    assert.equal(bad_is_reported, true);
  });

  test("json keeps the key order of decoded objects, and the one json.order sets", async (t) => {
    const c = await client(t);
    const text = '{"zeta":1,"alpha":{"b":2,"a":[{"y":1,"x":2}]},"mid":null}';
    const [encoded, keys, built] = await request_all(c, "json-order", text);
    assert.equal(encoded, text);
    assert.deepEqual(keys, ["zeta", "alpha", "mid"]);
    assert.equal(built, '{"zebra":1,"mango":{"y":1,"x":2},"apple":2}');
  });

  test("crypto: SHA-256, HMAC-SHA256, constant-time equal, random bytes", async (t) => {
    const c = await client(t);
    const { createHash, createHmac } = await import("node:crypto");
    const got = await request(c, "crypto", "secret-key", "1700000000.{\"id\":1}");
    const data = "1700000000.{\"id\":1}";
    assert.equal(got.sha256, createHash("sha256").update(data).digest("hex"));
    assert.equal(got.sha256_base64, createHash("sha256").update(data).digest("base64"));
    assert.equal(got.hmac, createHmac("sha256", "secret-key").update(data).digest("hex"));
    assert.equal(got.raw_size, 32);
    assert.deepEqual([got.same, got.different, got.shorter], [true, false, false]);
    assert.equal(got.random_size, 16);
    assert.match(got.random_hex, /^[0-9a-f]{8}$/);
    for (const what of ["encoding", "random", "key"]) {
      const answer = await request(c, "crypto-bad", what);
      assert.equal(answer.code, "script_error", what);
      assert.match(answer.message, /bad argument/, what);
    }
  });

  test("uuid and clocks", async (t) => {
    const c = await client(t);
    const got = await request(c, "ids-and-time");
    assert.match(got.a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(got.a, got.b);
    assert.ok(Math.abs(got.now - Date.now()) < 60_000);
    assert.equal(got.integer, "integer");
    assert.equal(got.monotonic_ok, true);
  });

  test("require finds a Lua module next to the scripts, and the switchboard module", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request_all(c, "require", 21), [42, true]);
  });
});

describe("bus and HTTP", () => {
  test("publish reaches the script's subscriber", async (t) => {
    const c = await client(t);
    const room = unique("bus");
    await request(c, "join", room);
    assert.equal(await request(c, "publish", { room, n: 3 }), true);
    assert.deepEqual(await c.inbox.next("bus"), [{ topic: "lua-test", payload: { room, n: 3 } }]);
  });

  test("routes answer HTTP requests: a table is JSON, a string keeps its type and status", async () => {
    const hello = await fetch(`${d.url}/lua/hello?x=1`);
    assert.equal(hello.status, 200);
    assert.match(hello.headers.get("content-type"), /application\/json/);
    assert.deepEqual(await hello.json(), { hello: "world", query: "x=1", method: "GET" });
    const echo = await fetch(`${d.url}/lua/echo`, { method: "POST", body: "ping" });
    assert.equal(echo.status, 201);
    assert.match(echo.headers.get("content-type"), /text\/plain/);
    assert.equal(await echo.text(), "ping");
    const refused = await fetch(`${d.url}/lua/refuse`);
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { code: "teapot", message: "no coffee here" });
  });
});

describe("database", () => {
  test("exec, query with named parameters, transactions that commit and roll back", async (t) => {
    const c = await client(t);
    const table = `lua_${unique("t").replace(/-/g, "_")}`;
    assert.equal(await request(c, "db-setup", table), true);
    assert.equal(await request(c, "db-insert", table, 1, "ann", 10), 1);
    assert.equal(await request(c, "db-insert", table, 2, "ben", 30), 1);
    assert.deepEqual(await request(c, "db-query", table, 20), [{ id: 2, name: "ben", score: 30 }]);
    const duplicate = await request(c, "db-insert", table, 3, "ann", 1);
    assert.equal(duplicate.code, "db_constraint", JSON.stringify(duplicate));
    assert.equal(await request(c, "db-transaction", table, false), 2);
    assert.deepEqual(
      (await request(c, "db-query", table, 0)).map((r) => r.score),
      [110, 130],
    );
    assert.deepEqual(await request(c, "db-transaction", table, true), {
      code: "changed_my_mind",
      message: "roll it back",
    });
    assert.deepEqual(
      (await request(c, "db-query", table, 0)).map((r) => r.score),
      [110, 130],
      "the failed transaction was rolled back",
    );
  });

  test("a database call from an inline handler is refused", async (t) => {
    const c = await client(t);
    const answer = await request(c, "db-inline");
    assert.equal(answer.code, "not_allowed_here");
    assert.match(answer.message, /inline handler/);
  });
});
