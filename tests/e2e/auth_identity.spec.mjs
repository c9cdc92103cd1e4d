// Who a socket is, after authentication: a plugin's auth hook deciding before the JWT
// (API keys here), the user's room "user:<id>" reaching every device, and the
// presence callbacks plugins get on a user's first and last socket.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { call, connect_user, delay, next_event, probe_socket, connect_socket, refusal_of, start_probe_deployment } from "./support/store_probe.mjs";

const TEST = { timeout: 30_000 };
const API_KEY = "probe-api-key-0123456789";
// Long enough for a callback that was going to come to have come (proving absence).
const QUIET_MS = 300;

let d;
before(async () => {
  d = await start_probe_deployment({
    probe_config: { api_key: API_KEY },
    namespaces: [{ name: "/", anonymous: false }, { name: "/admin", anonymous: false }],
  });
});
after(() => d?.stop());

const as = (user, options = {}) => ({ auth: { token: d.token(user) }, ...options });

describe("an auth hook decides before the JWT", () => {
  test("a good API key admits the client as the hook's user (id from sub)", TEST, async (t) => {
    const socket = await connect_user(t, d, { auth: { apiKey: API_KEY, as: "billing" } });
    assert.deepEqual(await call(socket, "probe:whoami"), {
      id: "api:billing",
      sub: "api:billing",
      name: "API client billing",
      via: "api_key",
      nsp: "/",
    });
  });

  test("a wrong API key is refused with the hook's code and message", TEST, async (t) => {
    const refusal = await refusal_of(t, d, { auth: { apiKey: "wrong" } });
    assert.deepEqual(refusal, { message: "unknown API key", data: { code: "invalid_api_key" } });
  });

  test("the hook's answer wins over a token in the same payload", TEST, async (t) => {
    const accepted = await connect_user(t, d, { auth: { apiKey: API_KEY, as: "ops", token: "garbage" } });
    assert.equal((await call(accepted, "probe:whoami")).id, "api:ops");
    const refused = await refusal_of(t, d, { auth: { apiKey: "wrong", token: d.token("alice") } });
    assert.equal(refused.data.code, "invalid_api_key");
  });

  test("without an opinion from the hook, the JWT decides", TEST, async (t) => {
    const socket = await connect_user(t, d, as("alice"));
    assert.equal((await call(socket, "probe:whoami")).id, "alice");
    assert.equal((await refusal_of(t, d, {})).data.code, "forbidden");
    assert.equal((await refusal_of(t, d, { auth: { token: "garbage" } })).data.code, "invalid_token");
  });

  test("a hook's user has a user room too", TEST, async (t) => {
    const service = await connect_user(t, d, { auth: { apiKey: API_KEY, as: "mailer" } });
    const alice = await connect_user(t, d, as("alice"));
    const notice = next_event(service, "probe:notice");
    assert.equal(await call(alice, "probe:notify_user", { user: "api:mailer", message: "hi service" }), true);
    assert.deepEqual(await notice, { message: "hi service", from: "alice" });
  });
});

describe("user:<id> reaches every device of a user", () => {
  test("three devices over three transports get it; another user does not", TEST, async (t) => {
    const user = `multi-${Date.now()}`;
    const devices = await Promise.all([
      connect_user(t, d, as(user, { transports: ["websocket"] })),
      connect_user(t, d, as(user, { transports: ["polling"] })),
      connect_user(t, d, as(user, { transports: ["polling", "websocket"] })),
    ]);
    const bob = await connect_user(t, d, as("bob"));
    const bob_notices = [];
    bob.on("probe:notice", (n) => bob_notices.push(n));
    assert.equal(await call(bob, "probe:sessions", { user }), 3);

    const received = devices.map((s) => next_event(s, "probe:notice"));
    assert.equal(await call(bob, "probe:notify_user", { user, message: "to every device" }), true);
    for (const notice of await Promise.all(received)) assert.deepEqual(notice, { message: "to every device", from: "bob" });

    // The next emit to bob comes after the first would have: bob got only his own.
    const own = next_event(bob, "probe:notice");
    assert.equal(await call(devices[0], "probe:notify_user", { user: "bob", message: "for bob" }), true);
    assert.deepEqual(await own, { message: "for bob", from: user });
    assert.deepEqual(bob_notices, [{ message: "for bob", from: user }]);
  });

  test("a device that left no longer receives; the others still do", TEST, async (t) => {
    const user = `leaving-${Date.now()}`;
    const [laptop, phone] = await Promise.all([connect_user(t, d, as(user)), connect_user(t, d, as(user))]);
    const sender = await connect_user(t, d, as("sender"));
    laptop.disconnect();
    // The server learns of the close asynchronously: wait until it counts one socket.
    for (let i = 0; (await call(sender, "probe:sessions", { user })) !== 1; i++) {
      assert.ok(i < 50, "the server still counts the closed socket");
      await delay(20);
    }
    const notice = next_event(phone, "probe:notice");
    assert.equal(await call(sender, "probe:notify_user", { user, message: "still here?" }), true);
    assert.equal((await notice).message, "still here?");
  });

  test("the user room is per namespace: a socket on /admin does not get / emits", TEST, async (t) => {
    const user = `nsp-${Date.now()}`;
    const main = await connect_user(t, d, as(user));
    const admin = await connect_user(t, d, as(user, { nsp: "/admin" }));
    const admin_notices = [];
    admin.on("probe:notice", (n) => admin_notices.push(n));
    const notice = next_event(main, "probe:notice");
    assert.equal(await call(main, "probe:notify_user", { user, message: "main only" }), true);
    await notice;
    // /admin's own emit proves the order: had the first reached it, it would be first.
    const own = next_event(admin, "probe:notice");
    assert.equal(await call(admin, "probe:notify_user", { user, message: "admin only" }), true);
    await own;
    assert.deepEqual(admin_notices.map((n) => n.message), ["admin only"]);
  });
});

describe("presence: a user's first and last socket", () => {
  async function log_of(socket, user) {
    return (await call(socket, "probe:presence_log", { user })).map(({ online }) => online);
  }

  // Once the server counts no socket of `user`: online, offline, online... offline.
  async function assert_alternating(watcher, user) {
    for (let i = 0; (await call(watcher, "probe:sessions", { user })) !== 0; i++) {
      assert.ok(i < 200, "the server still counts sockets of the user");
      await delay(20);
    }
    // The presence hooks run on the handler pool's strands, after the count: wait for
    // the last offline, then a quiet moment in which a stray transition would show.
    for (let i = 0; (await log_of(watcher, user)).at(-1) !== false; i++) {
      assert.ok(i < 500, "no offline transition logged");
      await delay(20);
    }
    await delay(QUIET_MS);
    const log = await log_of(watcher, user);
    assert.ok(log.length >= 2 && log.length % 2 === 0, `transitions: ${JSON.stringify(log)}`);
    log.forEach((online, i) => assert.equal(online, i % 2 === 0, `transition ${i} of ${JSON.stringify(log)}`));
  }

  test("online on the first socket, offline after the last, nothing in between", TEST, async (t) => {
    const user = `presence-${Date.now()}`;
    const watcher = await connect_user(t, d, as("watcher"));
    assert.equal(await call(watcher, "probe:watch_presence"), true);
    const transitions = [];
    watcher.on("probe:presence", (p) => {
      if (p.user === user) transitions.push(p.online);
    });

    const came = next_event(watcher, "probe:presence", { where: (p) => p.user === user && p.online });
    const first = await connect_user(t, d, as(user));
    await came;
    const second = await connect_user(t, d, as(user, { transports: ["polling"] }));
    const third = await connect_user(t, d, as(user, { nsp: "/admin" }));
    first.disconnect();
    second.disconnect();
    await delay(QUIET_MS);
    assert.deepEqual(transitions, [true], "only the first socket is a transition");
    assert.deepEqual(await log_of(watcher, user), [true]);

    const went = next_event(watcher, "probe:presence", { where: (p) => p.user === user && !p.online });
    third.disconnect();
    await went;
    assert.deepEqual(transitions, [true, false]);
    assert.deepEqual(await log_of(watcher, user), [true, false]);
    assert.equal(await call(watcher, "probe:sessions", { user }), 0);
  });

  test("a refused connection is no transition", TEST, async (t) => {
    const user = `refused-${Date.now()}`;
    const watcher = await connect_user(t, d, as("watcher"));
    await refusal_of(t, d, { auth: { token: d.token(user, { exp: Math.floor(Date.now() / 1000) - 3600 }) } });
    await delay(QUIET_MS);
    assert.deepEqual(await log_of(watcher, user), []);
  });

  test("quick reconnects: transitions alternate and end offline", TEST, async (t) => {
    const user = `flapping-${Date.now()}`;
    const watcher = await connect_user(t, d, as("watcher"));
    for (let i = 0; i < 10; i++) {
      const socket = probe_socket(t, d, as(user));
      await connect_socket(socket);
      socket.disconnect();
    }
    await assert_alternating(watcher, user);
  });

  // Sockets of one user connecting and leaving at once on several workers: a plugin
  // must never hear "offline" before the "online" it follows (or the reverse).
  test("many devices coming and going at once: transitions still alternate", TEST, async (t) => {
    const watcher = await connect_user(t, d, as("watcher"));
    for (let round = 0; round < 4; round++) {
      const user = `crowd-${round}-${Date.now()}`;
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          for (let k = 0; k < 4; k++) {
            const socket = probe_socket(t, d, as(user));
            await connect_socket(socket);
            socket.disconnect();
          }
        }),
      );
      await assert_alternating(watcher, user);
    }
  });
});
