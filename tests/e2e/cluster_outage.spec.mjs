// Redis going away under a two-node cluster for 10 s and coming back: nothing crashes,
// each node keeps serving its own clients, what was published meanwhile is counted as
// lost on /metrics (not silently dropped), and the nodes resubscribe by themselves. The
// Redis here is a private one the test kills and restarts on the same port.
//
// The 10 s are the fault's length, not a wait for anything: they outlast the reconnect
// back-off's 5 s ceiling and the presence node timeout (6 s by default), so the nodes
// are retrying at their slowest and have expired each other when Redis returns, empty.
// Every step waits for a condition; traffic keeps flowing on both nodes throughout.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { Inbox, once, unique, with_timeout } from "./support/client.mjs";
import { cluster_ready, metric, until } from "./support/cluster.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_call } from "./support/http.mjs";
import { free_port } from "./support/server.mjs";

const API_KEY = "cluster-outage-key-0123456789";
const OUTAGE_MS = 10_000;
const TRAFFIC_MS = 200;
// Reconnection backs off up to 5 s; give the nodes a few rounds of it.
const RECOVERY_MS = 20_000;

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => (socket.destroy(), resolve(false)));
  });
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
    await Promise.all([cluster_ready(a), cluster_ready(b)]);
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

    const lost_before = await metric(a, "switchboard_cluster_messages_lost_total");
    await stop_redis(redis);
    const stopped_at = Date.now();
    await until(async () => (await metric(a, "switchboard_cluster_redis_connected")) === 0, "node a noticing");
    await until(async () => (await metric(b, "switchboard_cluster_redis_connected")) === 0, "node b noticing");
    // Traffic on both nodes for as long as Redis is away, a round every TRAFFIC_MS (a
    // pace, not a wait): each emit is answered and reaches the emitting node's own client.
    let sent = 0;
    while (Date.now() - stopped_at < OUTAGE_MS) {
      sent += 1;
      for (const [node, device] of [[a, on_a], [b, on_b]]) {
        const during = await emit(node, "during", [sent]);
        assert.equal(during.status, 200, "the API keeps answering");
        assert.deepEqual(await device.inbox.next("during"), [sent], "each node still serves its own clients");
      }
      await new Promise((r) => setTimeout(r, TRAFFIC_MS));
    }
    await until(async () => (await metric(a, "switchboard_cluster_messages_lost_total")) >= lost_before + sent,
      `node a counting its ${sent} broadcasts as lost`);
    assert.ok((await metric(a, "switchboard_cluster_redis_outages_total")) >= 1);
    assert.ok((await metric(b, "switchboard_cluster_redis_outages_total")) >= 1);

    redis = await start_redis(port);
    await until(async () => (await metric(a, "switchboard_cluster_redis_connected")) === 1, "node a back", RECOVERY_MS);
    await until(async () => (await metric(b, "switchboard_cluster_redis_connected")) === 1, "node b back", RECOVERY_MS);
    // Subscriptions came back with the connection: a broadcast crosses again, both ways.
    assert.equal((await emit(a, "after", ["from a"])).status, 200);
    await on_b.inbox.next("after", { where: ([from]) => from === "from a" });
    assert.equal((await emit(b, "after", ["from b"])).status, 200);
    await on_a.inbox.next("after", { where: ([from]) => from === "from b" });
    // Each client got its own node's emits of the outage and none of the other node's.
    for (const device of [on_a, on_b]) {
      assert.deepEqual(device.inbox.all("during").map(([n]) => n), Array.from({ length: sent }, (_, i) => i + 1),
        "lost, and reported as lost, not delivered late");
    }
    assert.equal(on_a.socket.connected && on_b.socket.connected, true, "no client was dropped");
  });
});
