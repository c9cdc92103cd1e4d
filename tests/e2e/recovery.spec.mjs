// Connection state recovery on one node (socketio.recovery), with the real
// socket.io-client 4.8: a client whose transport drops under a stream of room, user
// and socket emits comes back with its id and rooms and every event exactly once, in
// order; after the window, or when it missed more than the log holds, it connects
// fresh. The same scenario runs against Node's socket.io 4.8 with
// connectionStateRecovery, which proves the expectations themselves.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { Inbox, once, unique, with_timeout } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_call } from "./support/http.mjs";
import { start_recovery_node } from "./reference/recovery_node.mjs";

const API_KEY = "recovery-spec-key-0123456789";
const TRANSPORTS = [["websocket"], ["polling"]];

// A Switchboard deployment as a target of the scenario: emits through the server API.
export function switchboard_target(d) {
  const api = (method, path, body) => http_call(d.url, method, path, { body, headers: { "x-api-key": API_KEY } });
  const ok = async (answer) => assert.equal((await answer).status, 200);
  return {
    name: "switchboard",
    url: () => d.url,
    auth: (user) => ({ token: d.token(user) }),
    to_room: (room, n) => ok(api("POST", "/api/emit", { event: "tick", rooms: [room], data: [n] })),
    to_user: (user, n) => ok(api("POST", "/api/emit", { event: "tick", users: [user], data: [n] })),
    to_socket: (id, n) => ok(api("POST", "/api/emit", { event: "tick", sockets: [id], data: [n] })),
    join: (id, room) => ok(api("POST", "/api/sockets/join", { sockets: [id], join: [room] })),
    // Whether the server still has the socket (it learns of a dropped transport late).
    has: async (id) => JSON.parse((await api("GET", `/api/rooms/${encodeURIComponent(id)}/count`)).text).sockets > 0,
  };
}

export function node_target(node) {
  return {
    name: "node",
    url: () => node.url,
    auth: (user) => ({ user }),
    to_room: async (room, n) => void node.io.to(room).emit("tick", n),
    to_user: async (user, n) => void node.io.to(`user:${user}`).emit("tick", n),
    to_socket: async (id, n) => void node.io.to(id).emit("tick", n),
    join: async (id, room) => void node.io.in(id).socketsJoin(room),
    has: async (id) => (await node.io.in(id).fetchSockets()).length > 0,
  };
}

// Waits until `condition()` holds, asking again after each answer (an HTTP call).
export async function until(condition, what) {
  await with_timeout(
    (async () => {
      while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
    })(),
    10_000,
    what,
  );
}

// A client of `user` that records every tick (its number and offset).
export function recording_client(target, user, transports) {
  const socket = io(target.url(), { forceNew: true, reconnection: false, transports, auth: target.auth(user) });
  const inbox = new Inbox(socket, `${user}@${target.name}`);
  const ticks = [];
  socket.on("tick", (n, offset) => ticks.push({ n, offset }));
  return { socket, inbox, ticks, user };
}

export async function connected(client) {
  await once(client.socket, "connect", { what: `${client.user} connecting`, fail_on: ["connect_error"] });
}

// Drops the client's transport (as a tunnel does), and waits until the server knows.
export async function drop(target, client) {
  const id = client.socket.id;
  const gone = once(client.socket, "disconnect");
  client.socket.io.engine.close();
  await gone;
  await until(async () => !(await target.has(id)), `the server noticing ${id} left`);
}

// Sends `count` ticks numbered from `first`, in turn to the room, the user and the
// socket: one after another, so their order is the order of the numbers.
export async function stream(target, { room, user, id }, first, count) {
  for (let n = first; n < first + count; n++) {
    if (n % 3 === 0) await target.to_room(room, n);
    else if (n % 3 === 1) await target.to_user(user, n);
    else await target.to_socket(id(), n);
  }
}

async function until_ticks(client, count) {
  await until(async () => client.ticks.length >= count, `${client.user} receiving ${count} ticks`);
}

// The scenario: a stream of emits keeps going while the transport drops and the client
// comes back; every tick arrives once, in order, and the socket is the same one.
async function recovers_under_stream(target, transports) {
  const user = unique("u");
  const room = unique("room");
  const client = recording_client(target, user, transports);
  await connected(client);
  assert.equal(client.socket.recovered, false);
  const id = client.socket.id;
  await target.join(id, room);
  const total = 45;
  const producing = stream(target, { room, user, id: () => id }, 0, total);
  await until_ticks(client, 8);
  await drop(target, client);
  client.socket.connect();
  await connected(client);
  await producing;
  await until_ticks(client, total);
  assert.equal(client.socket.recovered, true, "recovered");
  assert.equal(client.socket.id, id, "the same socket id");
  assert.deepEqual(client.ticks.map((t) => t.n), [...Array(total).keys()], "every tick once, in order");
  assert.ok(client.ticks.every((t) => typeof t.offset === "string"), "each tick carries its offset");
  // The room came back too: a room emit after recovery arrives.
  await target.to_room(room, total);
  await until_ticks(client, total + 1);
  client.socket.disconnect();
}

describe("connection state recovery on one node", () => {
  let d;
  let target;
  let node;
  let reference;
  before(async () => {
    d = await start_deployment({
      socketio: { recovery: { enabled: true, max_disconnection_duration: "2m" } },
      extra: { api: { keys: [API_KEY], keys_env: [] } },
    });
    target = switchboard_target(d);
    node = await start_recovery_node();
    reference = node_target(node);
  });
  after(async () => {
    await Promise.allSettled([d?.stop(), node?.stop()]);
  });

  for (const transports of TRANSPORTS) {
    it(`recovers id, rooms and every missed event once, in order (${transports})`, async () => {
      await recovers_under_stream(target, transports);
    });
    it(`Node's socket.io behaves the same (${transports})`, async () => {
      await recovers_under_stream(reference, transports);
    });
  }

  it("a pid nobody knows, and a client that left on purpose, connect fresh", async () => {
    const user = unique("u");
    const stranger = io(d.url, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { token: d.token(user), pid: "no-such-pid", offset: "1-1" },
    });
    await once(stranger, "connect", { fail_on: ["connect_error"] });
    assert.equal(stranger.recovered, false);
    stranger.disconnect();

    const client = recording_client(target, user, ["websocket"]);
    await connected(client);
    await target.to_socket(client.socket.id, 0);
    await until_ticks(client, 1);
    const id = client.socket.id;
    client.socket.disconnect();   // "client namespace disconnect": the session goes
    client.socket.connect();
    await connected(client);
    assert.equal(client.socket.recovered, false);
    assert.notEqual(client.socket.id, id);
    client.socket.disconnect();
  });

  it("reports recoveries on /metrics", async () => {
    const answer = await http_call(d.url, "GET", "/metrics");
    assert.match(answer.text, /switchboard_recovery_recovered_total [1-9]/);
    assert.match(answer.text, /switchboard_recovery_replayed_events_total [1-9]/);
    assert.match(answer.text, /switchboard_recovery_not_recovered_total\{reason="unknown_session"\} [1-9]/);
  });
});

describe("connection state recovery, bounded", () => {
  it("after the window, the client connects fresh", async (t) => {
    const d = await start_deployment({
      socketio: { recovery: { enabled: true, max_disconnection_duration: "300ms" } },
      extra: { api: { keys: [API_KEY], keys_env: [] } },
    });
    t.after(() => d.stop());
    const target = switchboard_target(d);
    const client = recording_client(target, unique("u"), ["websocket"]);
    await connected(client);
    await target.to_socket(client.socket.id, 0);
    await until_ticks(client, 1);
    const id = client.socket.id;
    await drop(target, client);
    // Longer than the window: what this test is about is the time passing.
    await new Promise((resolve) => setTimeout(resolve, 600));
    client.socket.connect();
    await connected(client);
    assert.equal(client.socket.recovered, false);
    assert.notEqual(client.socket.id, id);
    client.socket.disconnect();
    const metrics = (await http_call(d.url, "GET", "/metrics")).text;
    assert.match(metrics, /switchboard_recovery_not_recovered_total\{reason="expired"\} 1/);
  });

  it("a client that missed more than the log holds connects fresh, with nothing replayed", async (t) => {
    const d = await start_deployment({
      socketio: { recovery: { enabled: true, log_size: 5 } },
      extra: { api: { keys: [API_KEY], keys_env: [] } },
    });
    t.after(() => d.stop());
    const target = switchboard_target(d);
    const user = unique("u");
    const client = recording_client(target, user, ["polling"]);
    await connected(client);
    await target.to_user(user, 0);
    await until_ticks(client, 1);
    const id = client.socket.id;
    await drop(target, client);
    for (let n = 1; n <= 8; n++) await target.to_user(user, n);
    client.socket.connect();
    await connected(client);
    assert.equal(client.socket.recovered, false);
    assert.notEqual(client.socket.id, id);
    // Fresh means nothing replayed: a marker sent now is the next tick it gets.
    await target.to_user(user, 100);
    await until_ticks(client, 2);
    assert.deepEqual(client.ticks.map((t) => t.n), [0, 100]);
    client.socket.disconnect();
    const metrics = (await http_call(d.url, "GET", "/metrics")).text;
    assert.match(metrics, /switchboard_recovery_not_recovered_total\{reason="log_overflow"\} 1/);
  });
});
