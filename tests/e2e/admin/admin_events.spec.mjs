// The Admin UI's namespace as @socket.io/admin-ui 0.5's UI reads it: the login, every
// event it listens to (payload shapes as the Node instrument sends them), and its
// commands, with a real socket.io-client on both sides.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRequire } from "node:module";
import path from "node:path";

import { Clients, TRANSPORT_MODES, once, unique } from "../support/client.mjs";
import { SWITCHBOARD_BIN, start_deployment } from "../support/deployment.mjs";

const require = createRequire(import.meta.url);
const bcrypt = require("bcryptjs");   // what @socket.io/admin-ui itself verifies with

const PASSWORD = "correct horse battery";
const PASSWORD_HASH = bcrypt.hashSync(PASSWORD, 4);
const WS = TRANSPORT_MODES[0];
const UPGRADE = TRANSPORT_MODES[2];

async function deployment(admin = {}, { log_level } = {}) {
  return start_deployment({
    log_level,
    namespaces: [{ name: "/", anonymous: true }, { name: "/chat", anonymous: true }],
    extra: {
      admin: {
        enabled: true,
        auth: { username: "ops", password_hash: PASSWORD_HASH },
        server_id: "node-a",
        ...admin,
      },
    },
  });
}

const iso_date = (value) => assert.match(value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

function assert_socket_shape(s, nsp) {
  assert.equal(typeof s.id, "string");
  assert.equal(typeof s.clientId, "string");
  assert.equal(s.clientId.length, 12);
  assert.ok(["polling", "websocket"].includes(s.transport), s.transport);
  assert.equal(s.nsp, nsp);
  assert.equal(typeof s.data, "object");
  assert.equal(s.data._admin, undefined, "the instrument's own data is not shown as the socket's");
  assert.deepEqual(Object.keys(s.handshake).sort(),
    ["address", "headers", "issued", "query", "secure", "time", "url", "xdomain"]);
  assert.equal(typeof s.handshake.headers, "object");
  assert.equal(typeof s.handshake.issued, "number");
  assert.ok(Array.isArray(s.rooms) && s.rooms.includes(s.id), "a socket is in the room of its own id");
}

async function login(clients, mode = WS, auth = { username: "ops", password: PASSWORD }) {
  const admin = clients.create(mode, { nsp: "/admin", auth });
  const connected = once(admin.socket, "connect", { fail_on: ["connect_error"] });
  admin.socket.connect();
  await connected;
  return admin;
}

test("wrong or missing credentials are refused as the UI expects; the others keep being served", async (t) => {
  const d = await deployment({}, { log_level: "trace" });
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  for (const auth of [{}, { username: "ops", password: "wrong-password-7f3a" }, { username: "nobody", password: PASSWORD },
    { username: "ops", password: 12 }, { sessionId: "forged" }]) {
    const admin = clients.create(WS, { nsp: "/admin", auth });
    admin.socket.connect();
    const [error] = await once(admin.socket, "connect_error", { fail_on: ["connect"] });
    assert.equal(error.message, "invalid credentials", JSON.stringify(auth));
  }
  const user = await clients.connect(WS);
  assert.ok(user.socket.connected);
  // A good login too, then: no password, wrong or right, ever reaches the log.
  const admin = await login(clients);
  const [session_id] = await admin.inbox.next("session");
  admin.socket.disconnect();
  const log = d.output();
  assert.match(log, /login from \S+ refused: invalid credentials/);
  for (const secret of [PASSWORD, "wrong-password-7f3a", session_id, PASSWORD_HASH])
    assert.ok(!log.includes(secret), `the log holds ${secret}`);
});

test("login: session, config, all_sockets and server_stats have the UI's shapes; the session id logs in again", async (t) => {
  const d = await deployment();
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  const user = await clients.connect(UPGRADE, { nsp: "/chat" });
  const admin = await login(clients);

  const [session_id] = await admin.inbox.next("session");
  assert.equal(typeof session_id, "string");
  const [config] = await admin.inbox.next("config");
  assert.deepEqual(config.supportedFeatures,
    ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"]);
  const [sockets] = await admin.inbox.next("all_sockets");
  const listed = sockets.find((s) => s.id === user.socket.id);
  assert.ok(listed, "the user's socket is listed");
  assert_socket_shape(listed, "/chat");
  assert.ok(sockets.some((s) => s.id === admin.socket.id && s.nsp === "/admin"));

  const [stats] = await admin.inbox.next("server_stats", { timeout: 10_000 });
  assert.deepEqual(Object.keys(stats).sort(), ["aggregatedEvents", "clientsCount", "hostname", "namespaces",
    "pid", "pollingClientsCount", "serverId", "uptime"]);
  assert.equal(stats.serverId, "node-a");
  assert.equal(typeof stats.hostname, "string");
  assert.ok(Number.isInteger(stats.pid) && stats.pid > 0);
  assert.equal(typeof stats.uptime, "number");
  assert.ok(stats.clientsCount >= 2, `clientsCount ${stats.clientsCount}`);
  assert.equal(typeof stats.pollingClientsCount, "number");
  assert.deepEqual(stats.namespaces.map((n) => n.name), ["/", "/chat", "/admin"]);
  assert.equal(stats.namespaces.find((n) => n.name === "/chat").socketsCount, 1);
  for (const e of stats.aggregatedEvents) {
    assert.equal(typeof e.timestamp, "number");
    assert.ok(["rawConnection", "rawDisconnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"].includes(e.type));
    assert.ok(e.count > 0);
  }

  // What the UI does on reload: the session id instead of the password.
  const again = await login(clients, WS, { sessionId: session_id });
  assert.ok(again.socket.connected);
});

test("development mode reports sockets, rooms and events as they happen", async (t) => {
  const d = await deployment();
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  const admin = await login(clients);
  await admin.inbox.next("all_sockets");

  const user = await clients.connect(UPGRADE, { nsp: "/chat" });
  const [connected, connected_at] = await admin.inbox.next("socket_connected",
    { where: ([s]) => s.id === user.socket.id });
  assert_socket_shape(connected, "/chat");
  iso_date(connected_at);

  const [updated] = await admin.inbox.next("socket_updated", { where: ([u]) => u.id === user.socket.id });
  assert.deepEqual(updated, { id: user.socket.id, nsp: "/chat", transport: "websocket" });

  user.socket.emit("hello", { n: 1 }, "two");
  const [nsp, id, args, at] = await admin.inbox.next("event_received", { where: ([, id]) => id === user.socket.id });
  assert.deepEqual([nsp, id, args], ["/chat", user.socket.id, ["hello", { n: 1 }, "two"]]);
  iso_date(at);

  // The UI's commands: join, emit to that room, leave, disconnect.
  const room = unique("room");
  admin.socket.emit("join", "/chat", room, user.socket.id);
  const joined = await admin.inbox.next("room_joined", { where: ([, r]) => r === room });
  assert.deepEqual(joined.slice(0, 3), ["/chat", room, user.socket.id]);
  iso_date(joined[3]);

  const delivered = once(user.socket, "notice");
  admin.socket.emit("emit", "/chat", room, "notice", { from: "admin" }, 42);
  assert.deepEqual(await delivered, [{ from: "admin" }, 42]);

  admin.socket.emit("leave", "/chat", room, user.socket.id);
  const left = await admin.inbox.next("room_left", { where: ([, r]) => r === room });
  assert.deepEqual(left.slice(0, 3), ["/chat", room, user.socket.id]);

  const gone = once(user.socket, "disconnect");
  const user_id = user.socket.id;   // the client forgets it once disconnected
  admin.socket.emit("_disconnect", "/chat", false, user_id);
  assert.equal((await gone)[0], "io server disconnect");
  const [dnsp, did, reason, dat] = await admin.inbox.next("socket_disconnected", { where: ([, id]) => id === user_id });
  assert.deepEqual([dnsp, did, reason], ["/chat", user_id, "server namespace disconnect"]);
  iso_date(dat);
});

test("event_sent: what the server emits to one socket", async (t) => {
  // The SDK test app answers "message" with "message-back" to the sender alone.
  const d = await start_deployment({
    namespaces: [{ name: "/", anonymous: true }],
    plugins: [{ name: "test-app" }],
    extra: {
      plugin_path: [path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins")],
      admin: { enabled: true, auth: { username: "ops", password_hash: PASSWORD_HASH } },
    },
  });
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  const admin = await login(clients);
  await admin.inbox.next("all_sockets");
  const user = await clients.connect(WS);
  user.socket.emit("message", "ping", 1);
  const [nsp, id, args, at] = await admin.inbox.next("event_sent",
    { where: ([, id, args]) => id === user.socket.id && args[0] === "message-back" });
  assert.deepEqual([nsp, id, args], ["/", user.socket.id, ["message-back", "ping", 1]]);
  iso_date(at);
});

test("readonly: no commands offered, and any sent are refused", async (t) => {
  const d = await deployment({ readonly: true, mode: "production" });
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  const admin = await login(clients);
  const [config] = await admin.inbox.next("config");
  assert.deepEqual(config.supportedFeatures, ["AGGREGATED_EVENTS"]);
  const user = await clients.connect(WS, { nsp: "/chat" });
  const answer = await admin.socket.timeout(5000).emitWithAck("_disconnect", "/chat", false, user.socket.id);
  assert.equal(answer.code, "forbidden");
  const bad = await admin.socket.timeout(5000).emitWithAck("emit", 7, null, "x");
  assert.equal(bad.code, "forbidden");
  // production mode: no per-socket reports, but the stats still come.
  await admin.inbox.next("server_stats", { timeout: 10_000 });
  assert.equal(admin.inbox.all("socket_connected").length, 0);
  assert.ok(user.socket.connected);
});

test("malformed commands get a clear answer and the namespace keeps serving", async (t) => {
  const d = await deployment();
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  const admin = await login(clients);
  const user = await clients.connect(WS, { nsp: "/chat" });
  for (const [command, ...args] of [["emit", "/nowhere", null, "x"], ["emit", "/chat", 5, "x"],
    ["emit", "/chat", null, "disconnect"], ["join", "/chat", "", null], ["_disconnect", "/chat", "yes"],
    ["format_disk"]]) {
    const answer = await admin.socket.timeout(5000).emitWithAck(command, ...args);
    assert.ok(["invalid_payload", "unknown_command"].includes(answer.code), `${command}: ${JSON.stringify(answer)}`);
  }
  const delivered = once(user.socket, "still");
  admin.socket.emit("emit", "/chat", null, "still", "here");
  assert.deepEqual(await delivered, ["here"]);
});
