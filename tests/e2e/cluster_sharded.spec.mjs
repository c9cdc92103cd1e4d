// Several nodes over Redis 7 sharded pub/sub (cluster.adapter: redis-sharded): two
// Switchboard nodes and one Node socket.io 4.8 node on @socket.io/redis-adapter's
// createShardedAdapter (subscriptionMode "dynamic"), clients on each. Every broadcast
// type crosses in both directions, room channels are subscribed only by the nodes that
// have members in the room, requests and socket operations reach every node, and
// broadcasts with acks gather the acks of every node's clients, both ways.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createClient } from "redis";
import { io } from "socket.io-client";

import { Inbox, once, unique } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { api_with_key, cluster_ready, OpenSockets, metric, REDIS_URL, redis_url_or_fail, until } from "./support/cluster.mjs";
import { http_call } from "./support/http.mjs";
import { start_node_peer } from "./reference/cluster_node.mjs";

const API_KEY = "sharded-spec-key-0123456789";
const api = api_with_key(API_KEY);

describe("cluster over Redis sharded pub/sub", { skip: !redis_url_or_fail() && "no Redis" }, () => {
  const key = unique("sb-sharded");
  let a;
  let b;
  let peer;
  let redis;
  // Every test ends with open.close().
  const open = new OpenSockets((path) => api(a, "GET", path));

  async function device(node, user) {
    const auth = node === peer ? { user } : { token: node.token(user) };
    const socket = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth });
    open.add(socket, user);
    const inbox = new Inbox(socket, `${user}@${node === peer ? "node" : node.port}`);
    await once(socket, "connect", { what: `${user} connecting`, fail_on: ["connect_error"] });
    return { socket, inbox, user };
  }

  // How many nodes are subscribed to a room's channel (Node's dynamic mode, and ours).
  async function room_subscribers(room) {
    const reply = await redis.sendCommand(["PUBSUB", "SHARDNUMSUB", `${key}#/#${room}#`]);
    return Number(reply[1]);
  }
  async function subscribed(room, nodes) {
    await until(async () => (await room_subscribers(room)) === nodes, `${nodes} nodes subscribed to ${room}`);
  }

  // A marker from the same publisher after what a test sent: once every device has it,
  // it has what came before (Redis and every node keep one publisher's order per channel).
  async function settle(devices, emit) {
    const marker = unique("marker");
    await emit("marker", marker);
    await Promise.all(devices.map((d) => d.inbox.next("marker", { where: (args) => args[0] === marker })));
  }

  before(async () => {
    const cluster = { adapter: "redis-sharded", url: REDIS_URL, key, requests_timeout: "3s" };
    const extra = { cluster, api: { keys: [API_KEY], keys_env: [] } };
    [a, b] = await Promise.all([start_deployment({ extra }), start_deployment({ extra })]);
    await Promise.all([cluster_ready(a), cluster_ready(b)]);
    peer = await start_node_peer({ redis_url: REDIS_URL, key, sharded: true });
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
    // Node counts the servers as the subscribers of the main channel: all three.
    await until(async () => Number((await redis.sendCommand(["PUBSUB", "SHARDNUMSUB", `${key}#/#`]))[1]) === 3,
      "three nodes on the main channel");
  });
  after(async () => {
    open.close_now();
    await Promise.allSettled([a?.stop(), b?.stop(), peer?.stop(), redis?.quit()]);
  });

  it("a room's channel is subscribed only by the nodes with members in it", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const room = unique("room");
    assert.equal(await room_subscribers(room), 0);
    await api(a, "POST", "/api/sockets/join", { sockets: [ann.socket.id], join: [room] });
    await subscribed(room, 1);
    const nia = await device(peer, "nia");
    peer.io.sockets.sockets.get(nia.socket.id).join(room);
    await subscribed(room, 2);
    // Node b has nobody there: a room broadcast from Node reaches a without b hearing it.
    // (A fetch on the main channel first: b answers it after the join published there.)
    await peer.io.fetchSockets();
    const received_before = await received_total(b);
    peer.io.to(room).emit("in-room", 1);
    assert.deepEqual(await ann.inbox.next("in-room"), [1]);
    assert.equal(await received_total(b), received_before, "node b got nothing of the room");
    await api(a, "POST", "/api/sockets/leave", { sockets: [ann.socket.id], leave: [room] });
    await subscribed(room, 1);
    ann.socket.disconnect();
  });

  const received_total = (node) => metric(node, "switchboard_cluster_messages_received_total");

  it("Switchboard's emits reach every node: all, room, user, socket id, except", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const nia = await device(peer, "nia");
    const room = unique("room");
    await api(b, "POST", "/api/sockets/join", { sockets: [ben.socket.id], join: [room] });
    peer.io.sockets.sockets.get(nia.socket.id).join(room);
    await subscribed(room, 2);

    const from_a = (event, data) => api(a, "POST", "/api/emit", { event, data });
    assert.equal((await api(a, "POST", "/api/emit", '{"event":"all","data":[{"z":1,"y":2}]}')).status, 200);
    await api(a, "POST", "/api/emit", { event: "room", rooms: [room], data: [1] });
    await api(a, "POST", "/api/emit", { event: "user", users: ["ben"], data: [2] });
    await api(a, "POST", "/api/emit", { event: "sid", rooms: [nia.socket.id], data: [3] });
    await api(a, "POST", "/api/emit", { event: "not-ben", rooms: [room], except_rooms: ["user:ben"], data: [4] });
    await settle([ann, ben, nia], (event, marker) => from_a(event, [marker]));

    for (const d of [ann, ben, nia]) {
      assert.deepEqual(d.inbox.all("all"), [[{ z: 1, y: 2 }]], d.inbox.label);
      assert.deepEqual(Object.keys(d.inbox.all("all")[0][0]), ["z", "y"], d.inbox.label);
    }
    assert.deepEqual(ann.inbox.all("room"), []);
    assert.deepEqual(ben.inbox.all("room"), [[1]]);
    assert.deepEqual(nia.inbox.all("room"), [[1]]);
    assert.deepEqual(ben.inbox.all("user"), [[2]]);
    assert.deepEqual([...ann.inbox.all("user"), ...nia.inbox.all("user")], []);
    assert.deepEqual(nia.inbox.all("sid"), [[3]]);
    assert.deepEqual([...ann.inbox.all("sid"), ...ben.inbox.all("sid")], []);
    assert.deepEqual(nia.inbox.all("not-ben"), [[4]]);
    assert.deepEqual(ben.inbox.all("not-ben"), []);
  });

  it("Node's emits reach Switchboard clients: all, room, socket id, except, binary", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const room = unique("room");
    await api(a, "POST", "/api/sockets/join", { sockets: [ann.socket.id], join: [room] });
    await api(b, "POST", "/api/sockets/join", { sockets: [ben.socket.id], join: [room] });
    await subscribed(room, 2);

    peer.io.emit("everyone", { b: 2, a: 1 }, Buffer.from([1, 2, 3]));
    peer.io.to(room).emit("in-room", Buffer.from([4]));
    peer.io.to(room).except("user:ben").emit("not-ben", 2);
    peer.io.to(ann.socket.id).emit("just-ann", 3);
    peer.io.to(room).volatile.emit("volatile", 5);
    // The marker goes to the room too: the same channel keeps the order.
    await settle([ann, ben], (event, marker) => peer.io.to(room).emit(event, marker));
    await settle([ann, ben], (event, marker) => peer.io.emit(event, marker));

    for (const d of [ann, ben]) {
      const [[object, bytes]] = d.inbox.all("everyone");
      assert.deepEqual(Object.keys(object), ["b", "a"]);
      assert.deepEqual([...new Uint8Array(bytes)], [1, 2, 3]);
      const [[in_room]] = d.inbox.all("in-room");
      assert.deepEqual([...new Uint8Array(in_room)], [4]);
      assert.deepEqual(d.inbox.all("volatile"), [[5]]);
    }
    assert.deepEqual(ann.inbox.all("not-ben"), [[2]]);
    assert.deepEqual(ben.inbox.all("not-ben"), []);
    assert.deepEqual(ann.inbox.all("just-ann"), [[3]]);
    assert.deepEqual(ben.inbox.all("just-ann"), []);
  });

  it("Node's fetchSockets, socketsJoin, socketsLeave and disconnectSockets act on Switchboard sockets", async (t) => {
    t.after(() => open.close());
    const ann = await device(a, "ann");
    const ben = await device(b, "ben");
    const room = unique("room");
    peer.io.in("user:ann").socketsJoin(room);
    peer.io.in("user:ben").socketsJoin(room);
    const members = await peer.io.in(room).fetchSockets();
    assert.deepEqual(members.map((s) => s.id).sort(), [ann.socket.id, ben.socket.id].sort());
    const remote_ann = members.find((s) => s.id === ann.socket.id);
    assert.equal(remote_ann.data.user.id, "ann");
    assert.ok(remote_ann.rooms.has(room));
    remote_ann.emit("direct", "from node");
    assert.deepEqual(await ann.inbox.next("direct"), ["from node"]);
    peer.io.in(room).socketsLeave(room);
    assert.deepEqual(await peer.io.in(room).fetchSockets(), []);

    const leaving = once(ben.socket, "disconnect", { what: "ben disconnected by Node" });
    peer.io.in(ben.socket.id).disconnectSockets();
    assert.equal((await leaving)[0], "io server disconnect");
    assert.equal(ann.socket.connected, true);
  });

  it("the API's join, leave, disconnect and counts act on every node", async (t) => {
    t.after(() => open.close());
    const user = unique("u");
    const on_b = await device(b, user);
    const on_node = await device(peer, user);
    const room = unique("room");
    assert.deepEqual((await api(a, "POST", "/api/sockets/join", { users: [user], join: [room] })).body, { sockets: 0 });
    assert.deepEqual((await api(a, "GET", `/api/rooms/${room}/count`)).body, { sockets: 2, nodes: 3, partial: false });
    await subscribed(room, 2);
    await api(a, "POST", "/api/emit", { event: "in-room", rooms: [room], data: ["x"] });
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

  it("broadcasts with acks gather every node's acks, from Node and from the API", async (t) => {
    t.after(() => open.close());
    const devices = [await device(a, "ann"), await device(b, "ben"), await device(peer, "nia")];
    for (const d of devices) d.socket.on("question", (n, ack) => ack({ from: d.user, n }));

    const from_node = await peer.io.timeout(4000).emitWithAck("question", 1);
    assert.deepEqual(from_node.map((r) => r.from).sort(), ["ann", "ben", "nia"]);

    const answer = await api(a, "POST", "/api/emit", { event: "question", data: [2], ack_timeout_ms: 4000 });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.partial, false);
    assert.equal(answer.body.nodes, 3);
    assert.deepEqual(answer.body.acks.map((r) => r.from).sort(), ["ann", "ben", "nia"]);
    assert.ok(answer.body.acks.every((r) => r.n === 2));

    // A client that never answers: the API says so instead of waiting forever.
    const quiet = await device(b, "quinn");
    const partial = await api(a, "POST", "/api/emit", { event: "question", users: ["quinn"], data: [3], ack_timeout_ms: 300 });
    assert.deepEqual(partial.body, { acks: [], nodes: 3, partial: true });
    assert.equal(quiet.socket.connected, true);
  });

  it("shows the cluster on /metrics", async () => {
    const metrics = (await http_call(a.url, "GET", "/metrics")).text;
    assert.match(metrics, /^switchboard_cluster_redis_connected 1$/m);
    assert.match(metrics, /^switchboard_cluster_messages_published_total [1-9]/m);
  });
});
