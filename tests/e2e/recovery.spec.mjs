// Connection state recovery on one node (socketio.recovery), with the real
// socket.io-client 4.8: a client whose transport drops under a stream of room, user
// and socket emits comes back with its id and rooms and every event exactly once, in
// order; after the window, or when it missed more than the log holds, it connects
// fresh. The same scenario runs against Node's socket.io 4.8 with
// connectionStateRecovery, which proves the expectations themselves.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { once, unique } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_call } from "./support/http.mjs";
import {
  API_KEY,
  connected,
  drop,
  node_target,
  recording_client,
  stream,
  switchboard_target,
  until,
} from "./support/recovery.mjs";
import { start_recovery_node } from "./reference/recovery_node.mjs";

const TRANSPORTS = [["websocket"], ["polling"]];

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
