// Connection state recovery scenarios shared by recovery.spec.mjs (one node) and
// recovery_cluster.spec.mjs (redis-streams cluster): targets (a Switchboard deployment
// driven through its server API, or a Node socket.io server through its own API), a
// client that records every tick with its offset, a transport drop the server has
// noticed, and a stream of room, user and socket emits in a known order.
import assert from "node:assert/strict";

import { io } from "socket.io-client";

import { Inbox, once, until as poll_until } from "./client.mjs";
import { http_call } from "./http.mjs";

export const API_KEY = "recovery-spec-key-0123456789";

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
    // The socket is on this node. Node's cluster adapter publishes a join before it
    // applies it here, so a tick sent at once through another node could arrive first.
    join: async (id, room) => {
      node.io.in(id).socketsJoin(room);
      await until(async () => node.io.of("/").adapter.rooms.get(room)?.has(id), `${id} in ${room} on Node`);
    },
    has: async (id) => (await node.io.in(id).fetchSockets()).length > 0,
  };
}

// Waits until `condition()` holds, asking again after each answer (an HTTP call).
export function until(condition, what) {
  return poll_until(condition, what, 10_000);
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

