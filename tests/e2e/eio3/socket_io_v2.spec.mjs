// Engine.IO v3 clients (engineio.allow_eio3): the real socket.io-client 2.x from npm
// against the protocol-echo plugin, over websocket, polling and polling+upgrade, the
// way Node's socket.io serves them with `allowEIO3: true` — the implicit CONNECT of "/",
// the namespace query as auth, ids made of the Engine.IO id, client pings, `b64`
// polling. Then by hand what that client never does in Node: the XHR2 binary payloads a
// browser sends, a JSONP poll; and the refusal of v3 where it is not allowed.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { DEFAULT_TIMEOUT_MS, once, with_timeout } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";
import { ENGINE_PATH, http_request } from "../support/http.mjs";

const require = createRequire(import.meta.url);
const io = require("socket.io-client-v2");
// The v3 payload codec Node's engine.io itself uses for these clients (engine.io-parser 2.x).
const here = path.dirname(fileURLToPath(import.meta.url));
const parser_v3 = require(path.join(here, "..", "node_modules", "engine.io", "build", "parser-v3", "index.js"));

const MODES = [
  { name: "websocket", options: { transports: ["websocket"] }, final_transport: "websocket" },
  { name: "polling", options: { transports: ["polling"] }, final_transport: "polling" },
  { name: "polling+upgrade", options: {}, final_transport: "websocket" },
];
const TEST = { timeout: 20_000 };

const echo_deployment = (engineio) =>
  start_deployment({
    plugins: [{ name: "protocol-echo" }],
    namespaces: [
      { name: "/", anonymous: true },
      { name: "/custom", anonymous: true },
    ],
    // Client pings every 300 ms: a few heartbeats fit in a test; the generous timeout
    // keeps a loaded machine from losing a session.
    engineio: { ping_interval: "300ms", ping_timeout: "5s", ...engineio },
  });

// A v2 socket that records every event from its creation (v2 has no onAny: the
// packet handler is wrapped), and is closed when its test ends.
function open_socket(t, url, mode, { nsp = "/", ...options } = {}) {
  const socket = io(url + nsp, { forceNew: true, reconnection: false, ...mode.options, ...options });
  const events = [];
  const waiters = [];
  const original = socket.onevent;
  socket.onevent = function (packet) {
    const [event, ...args] = packet.data ?? [];
    const waiter = waiters.findIndex((w) => w.event === event);
    if (waiter >= 0) waiters.splice(waiter, 1)[0].resolve(args);
    else events.push({ event, args });
    original.call(this, packet);
  };
  t.after(() => socket.close());
  // The next `event` (taking it: a later call sees the one after).
  socket.next = (event) => {
    const index = events.findIndex((e) => e.event === event);
    if (index >= 0) return Promise.resolve(events.splice(index, 1)[0].args);
    return with_timeout(new Promise((resolve) => waiters.push({ event, resolve })), DEFAULT_TIMEOUT_MS,
      `${mode.name} socket on ${nsp} waiting for "${event}"`);
  };
  return socket;
}

async function connected(t, url, mode, options) {
  const socket = open_socket(t, url, mode, options);
  await once(socket, "connect", { what: `${mode.name} v2 client connecting`, fail_on: ["error", "connect_error"] });
  return socket;
}

function request(socket, event, ...args) {
  return with_timeout(new Promise((resolve) => socket.emit(event, ...args, (...response) => resolve(response))),
    DEFAULT_TIMEOUT_MS, `ack for "${event}"`);
}

// The transport the connection ends on: after the upgrade for the upgrading mode.
async function settled_transport(socket, mode) {
  const engine = socket.io.engine;
  if (mode.final_transport === "websocket" && engine.transport.name !== "websocket")
    await once(engine, "upgrade", { what: "the upgrade to websocket" });
  return engine.transport.name;
}

const awkward_args = [
  0, -1, 2 ** 53 - 1, 1.5, -0.25, "", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r",
  "Zoë 🚀 你好 \u2028\u2029 \u0000 end", "😀".repeat(50), true, false, null,
  { nested: { deeper: [1, { x: "y" }] }, empty: {}, list: [] }, [[], [[]], "a"],
];

describe("socket.io-client 2.x with engineio.allow_eio3", () => {
  let server;
  before(async () => {
    server = await echo_deployment({ allow_eio3: true });
  });
  after(async () => {
    await server?.stop();
  });

  for (const mode of MODES) {
    describe(`over ${mode.name}`, () => {
      test('"/" is joined without a CONNECT from the client: its id is the Engine.IO id, "auth" echoes {}', TEST, async (t) => {
        const socket = await connected(t, server.url, mode);
        assert.equal(socket.id, socket.io.engine.id);
        assert.deepStrictEqual(await socket.next("auth"), [{}]);
        assert.equal(await settled_transport(socket, mode), mode.final_transport);
      });

      test('"/custom" with a query: the query is its auth, its id is "/custom#" + the Engine.IO id', TEST, async (t) => {
        // (Not "token": that one is a JWT for the kernel's authenticator.)
        const query = { room: "abc.def", user: "Zoë 🚀", empty: "" };
        const socket = await connected(t, server.url, mode, { nsp: "/custom", query });
        assert.equal(socket.id, `/custom#${socket.io.engine.id}`);
        assert.deepStrictEqual(await socket.next("auth"), [query]);
      });

      test('an unknown namespace gets the error "Invalid namespace", and "/" stays up', TEST, async (t) => {
        // Both sockets exist before the connection opens: a v2 client drops the CONNECT
        // of "/" that arrives before it has a "/" socket (from Node's server too).
        const manager = new io.Manager(server.url, { reconnection: false, autoConnect: false, ...mode.options });
        const main = manager.socket("/");
        const bad = manager.socket("/does-not-exist");
        t.after(() => manager.engine?.close());
        const refused = once(bad, "error", { what: "the refusal of an unknown namespace", fail_on: ["connect"] });
        const accepted = once(main, "connect", { what: '"/" on the same connection', fail_on: ["error"] });
        main.open();
        bad.open();
        const [error] = await refused;
        assert.equal(error.message, "Invalid namespace");
        await accepted;
        assert.deepStrictEqual(await request(main, "message-with-ack", "still fine"), ["still fine"]);
      });

      test('"message" comes back as "message-back" with the same arguments, ack too', TEST, async (t) => {
        const socket = await connected(t, server.url, mode);
        socket.emit("message", ...awkward_args);
        assert.deepStrictEqual(await socket.next("message-back"), awkward_args);
        assert.deepStrictEqual(await request(socket, "message-with-ack", ...awkward_args), awkward_args);
        const long = "é".repeat(50_000) + "🚀".repeat(10_000);
        assert.deepStrictEqual(await request(socket, "message-with-ack", long), [long]);
      });

      test("100 acks in flight each resolve with their own value", TEST, async (t) => {
        const socket = await connected(t, server.url, mode);
        const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => request(socket, "message-with-ack", i, `n${i}`)));
        answers.forEach((answer, i) => assert.deepStrictEqual(answer, [i, `n${i}`]));
      });

      test("binary round-trips: top level, nested, several attachments, 100 KB, in acks", TEST, async (t) => {
        const socket = await connected(t, server.url, mode);
        const big = Buffer.alloc(100_000, 0);
        for (let i = 0; i < big.length; ++i) big[i] = (i * 7919) & 0xff;
        const args = [Buffer.from([1, 2, 3]), { a: Buffer.from("nested"), list: [Buffer.alloc(0), "text", Buffer.from([255])] }, big];
        socket.emit("message", ...args);
        assert.deepStrictEqual(await socket.next("message-back"), args);
        assert.deepStrictEqual(await request(socket, "message-with-ack", ...args), args);
      });

      test("text and binary messages keep their order", TEST, async (t) => {
        const socket = await connected(t, server.url, mode);
        const sent = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? Buffer.from([i]) : `m${i}`));
        for (const value of sent) socket.emit("message", value);
        const received = [];
        for (let i = 0; i < sent.length; ++i) received.push((await socket.next("message-back"))[0]);
        assert.deepStrictEqual(received, sent);
      });

      test("the client's pings are answered: the connection outlives several heartbeats", TEST, async (t) => {
        const socket = await connected(t, server.url, mode);
        for (let i = 0; i < 3; ++i) await once(socket.io, "pong", { what: `pong ${i + 1}` });
        assert.equal(socket.connected, true);
        assert.deepStrictEqual(await request(socket, "message-with-ack", "alive"), ["alive"]);
      });
    });
  }

  // engine.io-client 2.x/3.x in a browser (XHR2) polls without b64=1: binary payloads.
  test("XHR2 binary payloads, as a browser's client sends and reads them", TEST, async () => {
    const open = await http_request(server, { query: { EIO: "3", transport: "polling" } });
    assert.equal(open.status, 200);
    const [length, packet] = open.body.split(/:(.*)/s);
    assert.equal(Number(length), packet.length);
    assert.equal(packet[0], "0");
    const { sid, pingInterval } = JSON.parse(packet.slice(1));
    assert.equal(pingInterval, 300);
    const poll = async () => {
      const response = await raw_poll(server, sid);
      assert.equal(response.status, 200);
      return response;
    };
    // The implicit CONNECT of "/" and the plugin's "auth" echo, text only: a text payload.
    const connect = [];
    while (connect.length < 2) {
      const response = await poll();
      assert.match(response.headers["content-type"], /^text\/plain/);
      parser_v3.decodePayload(response.body.toString("utf8"), (p) => { connect.push(p); });
    }
    assert.deepStrictEqual(connect.map((p) => p.data), ["0", '2["auth",{}]']);

    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const body = await new Promise((resolve) =>
      parser_v3.encodePayloadAsBinary([
        { type: "message", data: '51-["message","Zoë 🚀",{"_placeholder":true,"num":0}]' },
        { type: "message", data: bytes },
        { type: "ping" },
      ], resolve));
    const posted = await http_request(server, {
      method: "POST",
      query: { EIO: "3", transport: "polling", sid },
      headers: { "content-type": "application/octet-stream" },
      body,
    });
    assert.equal(posted.status, 200, posted.body);

    const packets = [];
    while (packets.filter((p) => p.type === "message").length < 2) {
      const response = await poll();
      const octets = response.headers["content-type"] === "application/octet-stream";
      if (octets) parser_v3.decodePayloadAsBinary(response.body, (p) => { packets.push(p); });
      else parser_v3.decodePayload(response.body.toString("utf8"), (p) => { packets.push(p); });
    }
    assert.ok(packets.some((p) => p.type === "pong"), "the ping is answered");
    const messages = packets.filter((p) => p.type === "message");
    assert.equal(messages[0].data, '51-["message-back","Zoë 🚀",{"_placeholder":true,"num":0}]');
    assert.deepStrictEqual(Buffer.from(messages[1].data), bytes);
  });

  test("a JSONP poll is refused with a 400 that says so", TEST, async () => {
    const response = await http_request(server, { query: { EIO: "3", transport: "polling", j: "0" } });
    assert.equal(response.status, 400);
    assert.deepStrictEqual(JSON.parse(response.body), { code: 3, message: "JSONP polling is not supported" });
  });

  test("a broken v3 payload is refused and the server keeps serving", TEST, async (t) => {
    const open = await http_request(server, { query: { EIO: "3", transport: "polling", b64: "1" } });
    const { sid } = JSON.parse(open.body.slice(open.body.indexOf(":") + 2));
    const posted = await http_request(server, {
      method: "POST",
      query: { EIO: "3", transport: "polling", sid },
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: "9:4short",
    });
    assert.equal(posted.status, 400);
    const socket = await connected(t, server.url, MODES[1]);
    assert.deepStrictEqual(await request(socket, "message-with-ack", "ok"), ["ok"]);
  });
});

// A GET of the session, its body as bytes (a binary payload is no UTF-8).
async function raw_poll(server, sid) {
  const http = await import("node:http");
  const url = `${server.url}${ENGINE_PATH}?EIO=3&transport=polling&sid=${encodeURIComponent(sid)}`;
  const getting = new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    }).on("error", reject);
  });
  return with_timeout(getting, DEFAULT_TIMEOUT_MS, `GET ${url}`);
}

describe("engineio.allow_eio3 off (the default)", () => {
  let server;
  before(async () => {
    server = await echo_deployment({});
  });
  after(async () => {
    await server?.stop();
  });

  test("a v3 handshake gets 400 Unsupported protocol version, as from Node", TEST, async () => {
    const response = await http_request(server, { query: { EIO: "3", transport: "polling" } });
    assert.equal(response.status, 400);
    assert.deepStrictEqual(JSON.parse(response.body), { code: 5, message: "Unsupported protocol version" });
  });

  for (const mode of MODES.slice(0, 2)) {
    test(`socket.io-client 2.x over ${mode.name} fails to connect and the server keeps serving`, TEST, async (t) => {
      const socket = open_socket(t, server.url, mode);
      await once(socket, "connect_error", { what: "the v2 client's connection error", fail_on: ["connect"] });
      assert.equal(socket.connected, false);
      const response = await http_request(server, { query: { EIO: "4", transport: "polling" } });
      assert.equal(response.status, 200);
      assert.match(response.body, /^0\{"sid":/);
    });
  }
});
