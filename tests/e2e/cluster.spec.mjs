// Several nodes as one server over a real Redis: two Switchboard nodes and one Node
// socket.io 4.8 node with @socket.io/redis-adapter, clients on each, and the real
// @socket.io/redis-emitter. Every broadcast, room, user and request type crosses in both
// directions; the server API acts on the whole cluster.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { io } from "socket.io-client";

import { Inbox, once, unique, with_timeout } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { api_with_key, cluster_ready, OpenSockets, REDIS_URL, redis_url_or_fail, until } from "./support/cluster.mjs";
import { http_call } from "./support/http.mjs";
import { start_lua } from "./lua/support.mjs";
import { start_node_peer } from "./reference/cluster_node.mjs";

const API_KEY = "cluster-spec-key-0123456789";
const api = api_with_key(API_KEY);

describe("cluster over Redis (classic adapter)", { skip: !redis_url_or_fail() && "no Redis" }, () => {
  const key = unique("sb-cluster");
  let a;
  let b;
  let peer;
  let redis;
  // Every test ends with open.close().
  const open = new OpenSockets((path) => api(a, "GET", path));

  // A client of `user` on `node` (a Switchboard deployment or the Node peer).
  async function device(node, user, nsp = "/") {
    const auth = node === peer ? { user } : { token: node.token(user) };
    const socket = io(node.url + nsp, { forceNew: true, reconnection: false, transports: ["websocket"], auth });
    open.add(socket, user);
    const inbox = new Inbox(socket, `${user}@${node === peer ? "node" : node.port}`);
    await once(socket, "connect", { what: `${user} connecting`, fail_on: ["connect_error"] });
    return { socket, inbox, user };
  }

  // A marker to every device from the same publisher as what a test sent before it: by
  // the time it has arrived, so has that (Redis and every node keep one publisher's
  // order). `emit(event, marker)` sends it: node a's API by default.
  async function settle(devices, emit = (event, marker) => api(a, "POST", "/api/emit", { event, data: [marker] })) {
    const marker = unique("marker");
    await emit("marker", marker);
    await Promise.all(devices.map((d) => d.inbox.next("marker", { where: (args) => args[0] === marker })));
  }
  const from_peer = (event, marker) => peer.io.emit(event, marker);

  before(async () => {
    const cluster = { adapter: "redis", url: REDIS_URL, key, requests_timeout: "3s" };
    const extra = { cluster, api: { keys: [API_KEY], keys_env: [] } };
    [a, b] = await Promise.all([start_deployment({ extra }), start_deployment({ extra })]);
    await Promise.all([cluster_ready(a), cluster_ready(b)]);
    peer = await start_node_peer({ redis_url: REDIS_URL, key });
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
  });
  after(async () => {
    open.close_now();
    await Promise.allSettled([a?.stop(), b?.stop(), peer?.stop(), redis?.quit()]);
  });

  it("an API emit on one node reaches clients on every node, key order kept", async (t) => {
    t.after(() => open.close());
    const on_a = await device(a, "ann");
    const on_b = await device(b, "ben");
    const on_node = await device(peer, "nia");
    const answer = await api(a, "POST", "/api/emit", '{"event":"news","data":[{"zeta":1,"alpha":[true,null]},"x"]}');
    assert.equal(answer.status, 200, answer.text);
    for (const d of [on_a, on_b, on_node]) {
      const args = await d.inbox.next("news");
      assert.deepEqual(args, [{ zeta: 1, alpha: [true, null] }, "x"]);
      assert.deepEqual(Object.keys(args[0]), ["zeta", "alpha"], d.inbox.label);
    }
  });

  it("Node's io.emit, io.to(room) and except reach Switchboard clients, binary included", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const room = unique("room");
    assert.equal((await api(a, "POST", "/api/sockets/join", { sockets: [ann.socket.id], join: [room] })).status, 200);
    assert.equal((await api(b, "POST", "/api/sockets/join", { sockets: [ben.socket.id], join: [room] })).status, 200);

    peer.io.emit("everyone", { b: 2, a: 1 }, Buffer.from([1, 2, 3]));
    peer.io.to(room).emit("in-room", 1);
    peer.io.to(room).except(`user:ben`).emit("not-ben", 2);
    peer.io.to(ann.socket.id).emit("just-ann", 3);
    await settle([ann, ben], from_peer);

    for (const d of [ann, ben]) {
      const [[object, bytes]] = d.inbox.all("everyone");
      assert.deepEqual(Object.keys(object), ["b", "a"]);
      assert.deepEqual([...new Uint8Array(bytes)], [1, 2, 3]);
      assert.deepEqual(d.inbox.all("in-room"), [[1]]);
    }
    assert.deepEqual(ann.inbox.all("not-ben"), [[2]]);
    assert.deepEqual(ben.inbox.all("not-ben"), []);
    assert.deepEqual(ann.inbox.all("just-ann"), [[3]]);
    assert.deepEqual(ben.inbox.all("just-ann"), []);
  });

  it("an emit to a user reaches that user's devices on every node", async (t) => {
    t.after(() => open.close());
    const user = unique("u");
    const devices = [await device(a, user), await device(b, user), await device(peer, user)];
    const other = await device(b, "someone-else");
    assert.equal((await api(b, "POST", "/api/emit", { event: "dm", users: [user], data: ["hi"] })).status, 200);
    for (const d of devices) assert.deepEqual(await d.inbox.next("dm"), ["hi"]);
    await settle([other], (event, marker) => api(b, "POST", "/api/emit", { event, data: [marker] }));
    assert.deepEqual(other.inbox.all("dm"), []);
  });

  it("Node's fetchSockets sees the Switchboard nodes' sockets, with rooms and user", async (t) => {
    t.after(() => open.close());
    const room = unique("room");
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const nia = await device(peer, "nia");
    await api(a, "POST", "/api/sockets/join", { sockets: [ann.socket.id], join: [room] });
    await api(b, "POST", "/api/sockets/join", { sockets: [ben.socket.id], join: [room] });
    peer.io.sockets.sockets.get(nia.socket.id).join(room);   // Node's own socket, joined at once
    const sockets = await peer.io.in(room).fetchSockets();
    const ids = sockets.map((s) => s.id).sort();
    assert.deepEqual(ids, [ann.socket.id, ben.socket.id, nia.socket.id].sort());
    const remote_ann = sockets.find((s) => s.id === ann.socket.id);
    assert.ok(remote_ann.rooms.has(room) && remote_ann.rooms.has(ann.socket.id), [...remote_ann.rooms].join());
    assert.equal(remote_ann.data.user.id, "ann");
    assert.equal(typeof remote_ann.handshake.address, "string");
    // And remote sockets can be acted on from Node.
    remote_ann.emit("direct", "from node");
    assert.deepEqual(await ann.inbox.next("direct"), ["from node"]);
  });

  it("Node's socketsJoin, socketsLeave and disconnectSockets act on Switchboard sockets", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const room = unique("room");
    peer.io.in("user:ann").socketsJoin(room);
    peer.io.in("user:ben").socketsJoin(room);
    // The join travels as a request; a fetch made after it is answered after it too.
    const members = await peer.io.in(room).fetchSockets();
    assert.deepEqual(members.map((s) => s.id).sort(), [ann.socket.id, ben.socket.id].sort());
    peer.io.in(room).socketsLeave(room);
    assert.deepEqual(await peer.io.in(room).fetchSockets(), []);

    const leaving = once(ben.socket, "disconnect", { what: "ben disconnected by Node" });
    peer.io.in(ben.socket.id).disconnectSockets();
    assert.equal((await leaving)[0], "io server disconnect");
    await settle([ann], from_peer);
    assert.equal(ann.socket.connected, true);
  });

  it("the API's join, leave, disconnect and counts act on every node", async (t) => {
    t.after(() => open.close());
    const user = unique("u");
    const on_b = await device(b, user);
    const on_node = await device(peer, user);
    const room = unique("room");
    const joined = await api(a, "POST", "/api/sockets/join", { users: [user], join: [room] });
    assert.deepEqual(joined.body, { sockets: 0 }, "none of them on node a");
    const count = await api(a, "GET", `/api/rooms/${room}/count`);
    assert.deepEqual(count.body, { sockets: 2, nodes: 3, partial: false });
    peer.io.to(room).emit("in-room", "x");
    assert.deepEqual(await on_b.inbox.next("in-room"), ["x"]);
    assert.deepEqual(await on_node.inbox.next("in-room"), ["x"]);

    await api(a, "POST", "/api/sockets/leave", { users: [user], leave: [room] });
    // The other nodes apply the leave as their adapter delivers it: node b may count
    // its socket for a moment after the answer.
    const left = await until(async () => {
      const { body } = await api(b, "GET", `/api/rooms/${room}/count`);
      return body.sockets === 0 && body;
    }, "the leave to reach node b");
    assert.deepEqual(left, { sockets: 0, nodes: 3, partial: false });

    const gone = [once(on_b.socket, "disconnect"), once(on_node.socket, "disconnect")];
    await api(a, "POST", "/api/sockets/disconnect", { users: [user] });
    for (const [reason] of await Promise.all(gone)) assert.equal(reason, "io server disconnect");
  });

  it("@socket.io/redis-emitter reaches every node, with rooms, except and socket operations", async (t) => {
    t.after(() => open.close());
    const emitter = new Emitter(redis, { key });
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const nia = await device(peer, "nia");
    const room = unique("room");
    emitter.emit("all", { z: 1, y: 2 });
    const from_emitter = (event, marker) => emitter.emit(event, marker);
    emitter.in(["user:ann", "user:nia"]).socketsJoin(room);
    // The join (request channel) and the marker (broadcast channel) share one publisher.
    await settle([ann, ben, nia], from_emitter);
    const joined = await api(b, "GET", `/api/rooms/${room}/count`);
    assert.equal(joined.body.sockets, 2, JSON.stringify(joined.body));
    emitter.to(room).emit("room-event", 1);
    emitter.to(room).except("user:nia").emit("not-nia", 2);
    emitter.volatile.emit("volatile-event", 3);
    await settle([ann, ben, nia], from_emitter);
    for (const d of [ann, ben, nia]) assert.deepEqual(Object.keys(d.inbox.all("all")[0][0]), ["z", "y"]);
    assert.deepEqual(ann.inbox.all("room-event"), [[1]]);
    assert.deepEqual(nia.inbox.all("room-event"), [[1]]);
    assert.deepEqual(ben.inbox.all("room-event"), []);
    assert.deepEqual(ann.inbox.all("not-nia"), [[2]]);
    assert.deepEqual(nia.inbox.all("not-nia"), []);
    const leaving = once(ann.socket, "disconnect");
    emitter.in("user:ann").disconnectSockets();
    assert.equal((await leaving)[0], "io server disconnect");
  });

  it("Node's serverSideEmit and the emitter's reach Switchboard plugins on the bus, and theirs reach Node", async (t) => {
    t.after(() => open.close());
    // A node whose Lua script answers the bus topic with a broadcast, and publishes a
    // client's shout on the bus topic that is the other nodes' serverSideEmit.
    const lua = await start_lua({
      scripts: {
        "relay.lua": `local sb = require("switchboard")
sb.subscribe("serverSideEmit:hello", function(args, topic)
  sb.emit{ nsp = "/", event = "heard", data = { topic = topic, args = args } }
end)
sb.on("shout", function(ctx, word)
  sb.publish("serverSideEmit:greet", { word, 3 })
  return true
end)`,
      },
      extra: { cluster: { adapter: "redis", url: REDIS_URL, key, requests_timeout: "3s" } },
    });
    t.after(() => lua.stop());
    await cluster_ready(lua);
    const ann = await device(a, "ann");
    peer.io.serverSideEmit("hello", { from: "node" }, 2);
    assert.deepEqual(await ann.inbox.next("heard"), [{ topic: "serverSideEmit:hello", args: [{ from: "node" }, 2] }]);
    new Emitter(redis, { key }).serverSideEmit("hello", "from emitter");
    assert.deepEqual(await ann.inbox.next("heard"), [{ topic: "serverSideEmit:hello", args: ["from emitter"] }]);

    // A plugin's publish on serverSideEmit:<event> is Node's io.on("<event>").
    const greeted = new Promise((resolve) => peer.io.once("greet", (...args) => resolve(args)));
    const shouter = await device(lua, "sam");
    assert.deepEqual(await shouter.socket.timeout(4000).emitWithAck("shout", "from lua"), true);
    assert.deepEqual(await with_timeout(greeted, 4000, "Node hearing the plugin's serverSideEmit"), ["from lua", 3]);
  });

  it("Node's broadcast with acks reaches Switchboard clients and gathers their acks", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const nia = await device(peer, "nia");
    const quiet = await device(b, "quinn");   // connected, never acks the room broadcast
    for (const d of [ann, ben, nia]) d.socket.on("question", (n, ack) => ack({ from: d.user, n }));
    quiet.socket.on("question", (n, ack) => n === 1 && ack({ from: "quinn", n }));

    // Every client of every node answers: Node hears the count of each node, then each ack.
    const everyone = await peer.io.timeout(4000).emitWithAck("question", 1);
    assert.deepEqual(everyone.map((r) => r.from).sort(), ["ann", "ben", "nia", "quinn"]);
    assert.ok(everyone.every((r) => r.n === 1));

    // A room with binary in the ack: only its members answer, bytes intact.
    const room = unique("asked");
    peer.io.in(["user:ann", "user:ben"]).socketsJoin(room);
    await until(async () => (await peer.io.in(room).fetchSockets()).length === 2, "both joined");
    ann.socket.off("question");
    ann.socket.on("question", (n, ack) => ack(Buffer.from([7, n])));
    const in_room = await peer.io.to(room).timeout(4000).emitWithAck("question", 2);
    assert.equal(in_room.length, 2);
    const bytes = in_room.find((r) => !("from" in r));
    assert.deepEqual([...new Uint8Array(bytes)], [7, 2]);
    assert.deepEqual(in_room.find((r) => "from" in r), { from: "ben", n: 2 });

    // A client that does not answer: Node times out, as with one of its own clients.
    await assert.rejects(peer.io.to(`user:quinn`).timeout(500).emitWithAck("question", 3));
  });

  it("the API's emit with acks gathers the acks of every node's clients, Node's included", async (t) => {
    t.after(() => open.close());
    const devices = [await device(a, "ann"), await device(b, "ben"), await device(peer, "nia")];
    for (const d of devices) d.socket.on("poll", (n, ack) => ack({ from: d.user, n }));
    const answer = await api(b, "POST", "/api/emit", { event: "poll", data: [7], ack_timeout_ms: 4000 });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body.acks.map((r) => r.from).sort(), ["ann", "ben", "nia"]);
    assert.ok(answer.body.acks.every((r) => r.n === 7));
    assert.deepEqual([answer.body.nodes, answer.body.partial], [3, false]);
    const refused = await api(b, "POST", "/api/emit", { event: "poll", ack_timeout_ms: 0 });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, "invalid_payload");
  });

  it("shows the cluster on /metrics", async () => {
    const metrics = (await http_call(a.url, "GET", "/metrics")).text;
    assert.match(metrics, /^switchboard_cluster_redis_connected 1$/m);
    assert.match(metrics, /^switchboard_cluster_messages_published_total [1-9]/m);
    assert.match(metrics, /^switchboard_cluster_messages_received_total [1-9]/m);
  });
});
