// socketio.parser: msgpack — what a socket.io-msgpack-parser client never sends on
// purpose. Each bad message closes its own connection (as Node's server does when its
// decoder throws; the server's debug log says why); a client connected beside it keeps
// its echo. The echo itself over every transport is
// sdk.e2e_protocol_echo_msgpack (the e2e suite with the parser).

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";

import { Clients, TRANSPORT_MODES, once, request, request_all, with_timeout } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";

const require = createRequire(import.meta.url);
const msgpack_parser = require("socket.io-msgpack-parser");
const notepack = require("notepack.io");

const TEST = { timeout: 20_000 };

// A raw Engine.IO v4 WebSocket that has read its open packet and joined "/" with a
// well-formed msgpack CONNECT; resolves once the CONNECT reply came.
async function joined_websocket(url) {
  const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
  const messages = [];
  let notify = () => {};
  ws.on("message", (data, binary) => {
    messages.push({ data, binary });
    notify();
  });
  const next = (what) =>
    with_timeout(new Promise((resolve) => {
      const check = () => (messages.length ? resolve(messages.shift()) : (notify = check));
      check();
    }), 5_000, what);
  const open = await next("the open packet");
  assert.match(open.data.toString(), /^0\{"sid"/);
  ws.send(notepack.encode({ type: 0, nsp: "/" }));
  const reply = await next("the CONNECT reply");
  assert.equal(reply.binary, true);
  const decoded = notepack.decode(reply.data);
  assert.equal(decoded.type, 0);
  assert.equal(typeof decoded.data.sid, "string");
  return ws;
}

// Sends `message` and resolves with the close reason the server gives.
async function closed_by(ws, message) {
  const closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.send(message);
  return with_timeout(closed, 5_000, "the server closing the connection");
}

const nested = (depth) => {
  let value = [];
  for (let i = 0; i < depth; ++i) value = [value];
  return value;
};

const BAD_MESSAGES = [
  ["bytes that are no MessagePack", Buffer.from([0xc1, 0x00])],
  ["a truncated map", notepack.encode({ type: 2, nsp: "/", data: ["message", "x"] }).subarray(0, 8)],
  ["trailing bytes after the packet", Buffer.concat([notepack.encode({ type: 2, nsp: "/", data: ["message"] }), Buffer.from([0])])],
  ["an array instead of a packet map", notepack.encode([2, "/", ["message"]])],
  ["an unknown packet type", notepack.encode({ type: 5, nsp: "/", data: ["message"] })],
  ["a namespace that is no string", notepack.encode({ type: 2, nsp: 7, data: ["message"] })],
  ["an EVENT whose data is no array", notepack.encode({ type: 2, nsp: "/", data: { name: "message" } })],
  ["a reserved event name", notepack.encode({ type: 2, nsp: "/", data: ["disconnect"] })],
  ["a negative ack id", notepack.encode({ type: 2, nsp: "/", data: ["message"], id: -1 })],
  ["arrays nested 200 deep", notepack.encode({ type: 2, nsp: "/", data: ["message", nested(200)] })],
  ["a map declaring four billion entries", Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff])],
  ["a text message (a client without the msgpack parser)", '42["message","hello"]'],
];

describe("the msgpack parser refuses what is not one packet", () => {
  let server;
  before(async () => {
    server = await start_deployment({
      plugins: [{ name: "protocol-echo" }],
      namespaces: [{ name: "/", anonymous: true }],
      socketio: { parser: "msgpack" },
    });
  });
  after(async () => {
    await server?.stop();
  });

  for (const [name, message] of BAD_MESSAGES) {
    test(`${name}: the connection is closed, a neighbour keeps its echo`, TEST, async (t) => {
      const clients = new Clients(t, server);
      const neighbour = await clients.connect(TRANSPORT_MODES[0], { parser: msgpack_parser });
      const ws = await joined_websocket(server.url);
      const { code } = await closed_by(ws, message);
      assert.equal(code, 1000, "a normal close from the server");
      assert.deepStrictEqual(await request_all(neighbour, "message-with-ack", "still here", Buffer.from([1, 2])),
        ["still here", Buffer.from([1, 2])]);
    });
  }

  test("a client without the msgpack parser cannot connect, the server keeps serving", TEST, async (t) => {
    const clients = new Clients(t, server);
    const plain = clients.create(TRANSPORT_MODES[0], { parser: undefined });
    const dropped = once(plain.socket.io, "close", { what: "the default-parser client's connection being closed" });
    plain.socket.connect();
    await dropped;
    assert.equal(plain.socket.connected, false);
    const good = await clients.connect(TRANSPORT_MODES[1], { parser: msgpack_parser });
    assert.deepStrictEqual(await request(good, "message-with-ack", { nested: [Buffer.from("ok")] }),
      { nested: [Buffer.from("ok")] });
  });
});
