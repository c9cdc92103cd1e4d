// Presence across a cluster of Switchboard nodes on a real Redis (docs/cluster.md): a user
// online on one node is online as every node sees it (server API, SDK), the presence
// plugin's online/offline reach subscribers on every node once per transition of the
// whole cluster, and a node killed with SIGKILL has its users go offline on the others
// within the node timeout while they keep serving.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { DEFAULT_TIMEOUT_MS, Inbox, once, unique } from "./support/client.mjs";
import { api_with_key, cluster_ready, REDIS_URL, redis_url_or_fail, until } from "./support/cluster.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_call } from "./support/http.mjs";

const API_KEY = "cluster-presence-key-0123456789";
const HEARTBEAT_MS = 250;
const NODE_TIMEOUT_MS = 1_000;

const api = api_with_key(API_KEY);

async function sessions(node, user) {
  const answer = await api(node, "GET", `/api/presence/users/${encodeURIComponent(user)}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body.sessions;
}

// Emits with an ack and resolves with [error, result] as the presence plugin answers.
function request(socket, event, payload) {
  return new Promise((resolve, reject) => {
    socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, payload, (error, ...answer) => {
      if (error) reject(new Error(`no ack for ${event}: ${error.message}`));
      else resolve(answer);
    });
  });
}

describe("presence across a cluster over Redis", { skip: !redis_url_or_fail() && "no Redis" }, () => {
  const key = unique("sb-presence");
  const options = () => ({
    plugins: [{ name: "presence" }],
    extra: {
      cluster: { adapter: "redis", url: REDIS_URL, key, heartbeat: `${HEARTBEAT_MS}ms`, node_timeout: `${NODE_TIMEOUT_MS}ms` },
      api: { keys: [API_KEY], keys_env: [] },
    },
  });
  let a;
  let b;
  const open = [];

  async function device(node, user) {
    const socket = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: node.token(user) } });
    open.push(socket);
    const inbox = new Inbox(socket, `${user}@${node.port}`);
    await once(socket, "connect", { what: `${user} connecting`, fail_on: ["connect_error"] });
    return { socket, inbox };
  }

  // A signed-in watcher on `node` following `users`' presence.
  async function watcher(node, users) {
    const w = await device(node, unique("watcher"));
    const [error, result] = await request(w.socket, "presence:subscribe", { userIds: users });
    assert.equal(error, null, JSON.stringify(error));
    return { ...w, states: result.users };
  }

  const updates_of = (w, user) => w.inbox.all("presence:update").filter(([u]) => u.userId === user).map(([u]) => u.status);
  const next_update = (w, user, status, timeout) =>
    w.inbox.next("presence:update", { where: ([u]) => u.userId === user && u.status === status, timeout });

  before(async () => {
    [a, b] = await Promise.all([start_deployment(options()), start_deployment(options())]);
    await Promise.all([cluster_ready(a), cluster_ready(b)]);
  });
  after(async () => {
    open.forEach((s) => s.disconnect());
    await Promise.allSettled([a?.stop(), b?.stop()]);
  });

  it("a user online on one node is online on every node; one update per transition of the cluster", async () => {
    const user = unique("u");
    const on_a = await watcher(a, [user]);
    const on_b = await watcher(b, [user]);
    assert.equal(on_b.states[0].status, "offline");

    const first = await device(a, user);
    for (const w of [on_a, on_b]) await next_update(w, user, "online");
    await until(async () => (await sessions(b, user)) === 1, "node b counting the session on node a");
    const listed = await api(b, "GET", "/api/presence/users?limit=1000");
    assert.ok(listed.body.users.includes(user), JSON.stringify(listed.body));

    // A second device on the other node: two sessions, still one online.
    const second = await device(b, user);
    await until(async () => (await sessions(a, user)) === 2, "node a counting both sessions");
    // A subscriber arriving now, on either node, sees the user online.
    const late = await watcher(b, [user]);
    assert.equal(late.states[0].status, "online");

    first.socket.disconnect();
    await until(async () => (await sessions(b, user)) === 1, "the first device gone");
    second.socket.disconnect();
    for (const w of [on_a, on_b]) await next_update(w, user, "offline");
    await until(async () => (await sessions(a, user)) === 0, "node a seeing the user offline");
    assert.deepEqual((await api(a, "GET", `/api/presence/users/${user}`)).body, { id: user, online: false, sessions: 0 });

    // Back on the node that did not announce the first online: announced once again.
    await device(b, user);
    for (const w of [on_a, on_b]) await next_update(w, user, "online");
    for (const w of [on_a, on_b]) assert.deepEqual(updates_of(w, user), ["online", "offline", "online"], w.inbox.label);
  });

  it("a status set on the node that did not announce the user online goes out once", async () => {
    const user = unique("u");
    const on_a = await watcher(a, [user]);
    const device_a = await device(a, user);
    await next_update(on_a, user, "online");
    const device_b = await device(b, user);
    await until(async () => (await sessions(b, user)) === 2, "node b counting both sessions");
    const [error, state] = await request(device_b.socket, "presence:set", { status: "busy" });
    assert.equal(error, null, JSON.stringify(error));
    assert.equal(state.status, "busy");
    await next_update(on_a, user, "busy");
    device_a.socket.disconnect();
    await until(async () => (await sessions(b, user)) === 1, "the first device gone");
    device_b.socket.disconnect();
    await next_update(on_a, user, "offline");
    assert.deepEqual(updates_of(on_a, user), ["online", "busy", "offline"]);
  });

  it("kill -9 of a node: its users go offline on the others within the node timeout, which keep serving", async () => {
    const c = await start_deployment(options());
    try {
      await cluster_ready(c);
      const user = unique("doomed");
      const on_a = await watcher(a, [user]);
      const on_b = await watcher(b, [user]);
      await device(c, user);
      for (const w of [on_a, on_b]) await next_update(w, user, "online");
      await until(async () => (await sessions(b, user)) === 1, "node b counting the session on node c");

      const exit = await c.kill("SIGKILL");
      assert.equal(exit.signal, "SIGKILL");
      // The bound is node_timeout + heartbeat after c's last heartbeat; the wait allows
      // a loaded machine several times that.
      const bound = 5 * (NODE_TIMEOUT_MS + HEARTBEAT_MS);
      for (const w of [on_a, on_b]) await next_update(w, user, "offline", bound);
      await until(async () => (await sessions(a, user)) === 0, "node a seeing the user offline");
      await until(async () => (await sessions(b, user)) === 0, "node b seeing the user offline");
      for (const w of [on_a, on_b]) assert.deepEqual(updates_of(w, user), ["online", "offline"], w.inbox.label);

      // The survivors serve on: a new user on b is online on a; an emit crosses.
      const fresh = unique("fresh");
      const on_b_fresh = await device(b, fresh);
      await until(async () => (await sessions(a, fresh)) === 1, "node a counting a new session on node b");
      const sent = await http_call(a.url, "POST", "/api/emit", {
        body: { event: "still-here", users: [fresh], data: [1] },
        headers: { "x-api-key": API_KEY },
      });
      assert.equal(sent.status, 200, sent.text);
      assert.deepEqual(await on_b_fresh.inbox.next("still-here"), [1]);
    } finally {
      await c.stop();
    }
  });
});
