// Connection state recovery across a cluster (cluster.adapter: redis-streams): the
// stream is the log and Redis keeps the sessions, so a client whose transport drops
// under a stream of emits recovers on another node, also after its first node was
// killed with SIGKILL, and with Node socket.io nodes on
// @socket.io/redis-streams-adapter 0.3 in the same cluster, on either kind of node.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { once, unique } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { cluster_ready, REDIS_URL, redis_url_or_fail } from "./support/cluster.mjs";
import { http_call } from "./support/http.mjs";
import { start_recovery_node } from "./reference/recovery_node.mjs";
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


// Sends the client's next connection to `target` (as a load balancer would).
function move(client, target) {
  client.socket.io.uri = target.url();
}

describe("connection state recovery across a redis-streams cluster", { skip: !redis_url_or_fail() && "no Redis" }, () => {
  const key = unique("sb-recovery");
  const deployments = [];
  let peer;

  async function switchboard_node() {
    const d = await start_deployment({
      socketio: { recovery: { enabled: true, max_disconnection_duration: "2m" } },
      extra: {
        cluster: { adapter: "redis-streams", url: REDIS_URL, key, requests_timeout: "3s" },
        api: { keys: [API_KEY], keys_env: [] },
      },
    });
    deployments.push(d);
    // A node serves before its link to Redis is up: what it publishes until then is
    // lost (counted), and a test's first tick was, under load.
    await cluster_ready(d);
    return d;
  }

  // Each node's target, with the auth both kinds accept (a token, and the user).
  function target_of(d) {
    const target = switchboard_target(d);
    return { ...target, auth: (user) => ({ token: d.token(user), user }) };
  }

  before(async () => {
    peer = await start_recovery_node({ redis_url: REDIS_URL, stream: key });
  });
  after(async () => {
    await Promise.allSettled([...deployments.map((d) => d.stop()), peer?.stop()]);
  });

  // The scenario of recovery.spec.mjs, with the client coming back on `second`.
  async function recovers_elsewhere({ first, second, sender, transports, between }) {
    const user = unique("u");
    const room = unique("room");
    const client = recording_client(first, user, transports);
    await connected(client);
    const id = client.socket.id;
    await first.join(id, room);
    const total = 36;
    const producing = stream(sender, { room, user, id: () => id }, 0, total);
    await until(async () => client.ticks.length >= 6, "the first ticks");
    await between(client);
    move(client, second);
    client.socket.connect();
    await connected(client);
    await producing;
    await until(async () => client.ticks.length >= total, `${total} ticks`).catch((error) => {
      // Which of recovery and delivery failed decides where to look.
      const got = client.ticks.map((t) => t.n).join(",");
      throw new Error(`${error.message}: got [${got}], recovered ${client.socket.recovered}, id ${client.socket.id} (was ${id})`);
    });
    assert.equal(client.socket.recovered, true, "recovered");
    assert.equal(client.socket.id, id, "the same socket id");
    assert.deepEqual(client.ticks.map((t) => t.n), [...Array(total).keys()], "every tick once, in order");
    await second.to_room(room, total);
    await until(async () => client.ticks.length > total, "a room emit after recovery");
    client.socket.disconnect();
  }

  it("recovers on another Switchboard node, both transports", async () => {
    const a = target_of(await switchboard_node());
    const b = target_of(await switchboard_node());
    for (const transports of [["websocket"], ["polling"]]) {
      await recovers_elsewhere({
        first: a,
        second: b,
        sender: a,
        transports,
        between: (client) => drop(a, client),
      });
    }
    const metrics = (await http_call(b.url(), "GET", "/metrics")).text;
    assert.match(metrics, /switchboard_recovery_recovered_total 2/);
  });

  it("recovers on another node after the first was killed with SIGKILL", async () => {
    const victim = await switchboard_node();
    const a = target_of(victim);
    const b = target_of(await switchboard_node());
    await recovers_elsewhere({
      first: a,
      second: b,
      sender: b,
      transports: ["websocket"],
      between: async (client) => {
        const gone = once(client.socket, "disconnect");
        await victim.kill("SIGKILL");
        await gone;
      },
    });
  });

  it("recovers on a Node socket.io node, from a Switchboard node", async () => {
    const a = target_of(await switchboard_node());
    const node = { ...node_target(peer), auth: (user) => ({ user }) };
    await recovers_elsewhere({
      first: a,
      second: node,
      sender: node,
      transports: ["websocket"],
      between: (client) => drop(a, client),
    });
  });

  it("recovers on a Switchboard node, from a Node socket.io node", async () => {
    const b = target_of(await switchboard_node());
    const node = node_target(peer);
    const from_node = { ...node, auth: (user) => ({ user, token: deployments.at(-1).token(user) }) };
    await recovers_elsewhere({
      first: from_node,
      second: b,
      sender: b,
      transports: ["websocket"],
      between: (client) => drop(node, client),
    });
  });

  it("Node's broadcast with acks gathers the acks of Switchboard clients", async () => {
    const d = deployments[0] ?? (await switchboard_node());
    await cluster_ready(d);
    const user = unique("asked");
    const socket = io(d.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: d.token(user) } });
    try {
      await once(socket, "connect", { fail_on: ["connect_error"] });
      socket.on("question", (n, ack) => ack({ from: user, n, bytes: Buffer.from([n]) }));
      const answers = await peer.io.timeout(4000).emitWithAck("question", 5);
      assert.equal(answers.length, 1);
      assert.equal(answers[0].from, user);
      assert.deepEqual([...new Uint8Array(answers[0].bytes)], [5]);
    } finally {
      socket.disconnect();
    }
  });
});
