// Redis going away under a two-node cluster and coming back: nothing crashes, each node
// keeps serving its own clients, what was published meanwhile is counted as lost on
// /metrics (not silently dropped), and the nodes resubscribe by themselves. The Redis
// here is a private one the test kills and restarts on the same port.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { Inbox, once, unique, with_timeout } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_call } from "./support/http.mjs";
import { free_port } from "./support/server.mjs";

const API_KEY = "cluster-outage-key-0123456789";
// Reconnection backs off up to 5 s; give the nodes a few rounds of it.
const RECOVERY_MS = 20_000;

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => (socket.destroy(), resolve(false)));
  });
}

// Polls `probe` until it is true: for states another process reaches in its own time
// (a reconnect after back-off), where no event tells the test.
async function until(probe, what, ms = RECOVERY_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start_redis(port) {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  await until(() => accepts(port), `redis-server on ${port}`, 10_000);
  return child;
}

async function stop_redis(child) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await with_timeout(exited, 5_000, "redis-server exiting");
}

async function metric(node, name) {
  const text = (await http_call(node.url, "GET", "/metrics")).text;
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : NaN;
}

describe("cluster through a Redis outage", () => {
  let port;
  let redis;
  let a;
  let b;
  const sockets = [];

  async function device(node, user) {
    const socket = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: node.token(user) } });
    sockets.push(socket);
    const inbox = new Inbox(socket, `${user}@${node.port}`);
    await once(socket, "connect", { fail_on: ["connect_error"] });
    return { socket, inbox };
  }

  const emit = (node, event, data) =>
    http_call(node.url, "POST", "/api/emit", { body: { event, data }, headers: { "x-api-key": API_KEY } });

  before(async () => {
    port = await free_port();
    redis = await start_redis(port);
    const extra = {
      cluster: { adapter: "redis", url: `redis://127.0.0.1:${port}`, key: unique("outage"), requests_timeout: "1s" },
      api: { keys: [API_KEY], keys_env: [] },
    };
    [a, b] = await Promise.all([start_deployment({ extra }), start_deployment({ extra })]);
    await until(async () => (await metric(a, "switchboard_cluster_redis_connected")) === 1, "node a subscribed");
    await until(async () => (await metric(b, "switchboard_cluster_redis_connected")) === 1, "node b subscribed");
  });
  after(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.allSettled([a?.stop(), b?.stop()]);
    if (redis && redis.exitCode === null) redis.kill("SIGKILL");
  });

  it("keeps serving, counts what it lost, and resubscribes when Redis returns", async () => {
    const on_a = await device(a, "ann");
    const on_b = await device(b, "ben");
    assert.equal((await emit(a, "before", [1])).status, 200);
    assert.deepEqual(await on_b.inbox.next("before"), [1]);

    await stop_redis(redis);
    await until(async () => (await metric(a, "switchboard_cluster_redis_connected")) === 0, "node a noticing");
    const lost_before = await metric(a, "switchboard_cluster_messages_lost_total");
    const during = await emit(a, "during", [2]);
    assert.equal(during.status, 200, "the API keeps answering");
    assert.deepEqual(await on_a.inbox.next("during"), [2], "node a still serves its own clients");
    await until(async () => (await metric(a, "switchboard_cluster_messages_lost_total")) > lost_before, "the loss counted");
    assert.ok((await metric(a, "switchboard_cluster_redis_outages_total")) >= 1);

    redis = await start_redis(port);
    await until(async () => (await metric(a, "switchboard_cluster_redis_connected")) === 1, "node a back");
    await until(async () => (await metric(b, "switchboard_cluster_redis_connected")) === 1, "node b back");
    // Subscriptions came back with the connection: a broadcast crosses again.
    assert.equal((await emit(a, "after", [3])).status, 200);
    assert.deepEqual(await on_b.inbox.next("after"), [3]);
    assert.deepEqual(on_b.inbox.all("during"), [], "lost, and reported as lost, not delivered late");
    assert.equal(on_a.socket.connected && on_b.socket.connected, true, "no client was dropped");
  });
});
