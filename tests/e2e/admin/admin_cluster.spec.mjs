// The Admin UI's namespace across a cluster of two Switchboard nodes over a real Redis:
// a UI logged in to one node lists both servers (each node's server_stats crosses the
// adapter), the sockets of both, and its commands act on the other node's sockets.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { Clients, TRANSPORT_MODES, once, unique } from "../support/client.mjs";
import { cluster_ready } from "../support/cluster.mjs";
import { start_deployment } from "../support/deployment.mjs";

const require = createRequire(import.meta.url);
const bcrypt = require("bcryptjs");
const REDIS_URL = process.env.SWITCHBOARD_TEST_REDIS_URL;
const PASSWORD = "cluster admin password";
const WS = TRANSPORT_MODES[0];

test("one UI, two nodes: both servers, both nodes' sockets, commands reach the other node", async (t) => {
  if (!REDIS_URL) {
    if (process.env.CI) throw new Error("SWITCHBOARD_TEST_REDIS_URL is not set: run tools/test-services start");
    return t.skip("no Redis");
  }
  const key = unique("sb-admin");
  const node = (server_id) => start_deployment({
    namespaces: [{ name: "/", anonymous: true }],
    extra: {
      cluster: { adapter: "redis", url: REDIS_URL, key, requests_timeout: "3s" },
      admin: { enabled: true, server_id, auth: { username: "ops", password_hash: bcrypt.hashSync(PASSWORD, 4) } },
    },
  });
  const [a, b] = await Promise.all([node("node-a"), node("node-b")]);
  t.after(() => Promise.allSettled([a.stop(), b.stop()]));
  await Promise.all([cluster_ready(a), cluster_ready(b)]);

  const on_b = await new Clients(t, b).connect(WS);
  const admin = new Clients(t, a).create(WS, { nsp: "/admin", auth: { username: "ops", password: PASSWORD } });
  const connected = once(admin.socket, "connect", { fail_on: ["connect_error"] });
  admin.socket.connect();
  await connected;

  const [sockets] = await admin.inbox.next("all_sockets");
  const listed = sockets.find((s) => s.id === on_b.socket.id);
  assert.ok(listed, "node b's socket is listed by node a");
  assert.equal(typeof listed.clientId, "string");
  assert.equal(listed.transport, "websocket");

  const seen = new Set();
  for (const id of ["node-a", "node-b"])
    if (!seen.has(id)) {
      const [stats] = await admin.inbox.next("server_stats", { where: ([s]) => s.serverId === id, timeout: 10_000 });
      seen.add(stats.serverId);
    }
  assert.deepEqual([...seen].sort(), ["node-a", "node-b"]);

  // A socket connecting on node b is reported to the UI on node a.
  const later = await new Clients(t, b).connect(WS);
  await admin.inbox.next("socket_connected", { where: ([s]) => s.id === later.socket.id });

  const room = unique("room");
  admin.socket.emit("join", "/", room, on_b.socket.id);
  await admin.inbox.next("room_joined", { where: ([, r, id]) => r === room && id === on_b.socket.id });
  const delivered = once(on_b.socket, "from-admin");
  admin.socket.emit("emit", "/", room, "from-admin", "across");
  assert.deepEqual(await delivered, ["across"]);
});
