// Payload fidelity (#11, #12): what a client sends comes back as it sent it, through
// every path an event takes: the kernel and a C++ plugin (examples/protocol-echo's
// switchboard.yaml, whose plugin relays the client's own argument text) and a Lua
// script (switchboard-lua.yaml), beside Node's socket.io 4.8 (tests/e2e/reference).
//
// Two kinds of client:
//   - the real socket.io-client 4.8: it writes JSON.stringify's text, so what it can
//     send (key order, 1e21, 1e-7, U+2028, emoji, lone surrogates, nesting, binary in
//     nested values) must come back equal, keys in the same order;
//   - raw WebSocket frames, for text no JavaScript client writes (1.0, -0, 2^53+1,
//     integers past 64 bits, escapes): Node's socket.io JSON.parse's and re-stringifies
//     them, so its answer is compared with that rule on the real Node server here; the
//     C++ relay answers byte for byte; Lua follows the number rule values.hpp states.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";
import WebSocket from "ws";

import { REPO, SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { start_server } from "../support/server.mjs";

const ECHO = path.join(REPO, "examples", "protocol-echo");
const TIMEOUT_MS = 10_000;
const MAX_DEPTH = 128;   // the decoder's nesting bound (kernel/socketio/packet.cpp)

// The example deployments as they are, but for their heartbeat: the reference test
// server's 300 ms / 200 ms would time clients out on a loaded machine, and what is
// tested here is payloads, not heartbeats.
const work = mkdtempSync(path.join(tmpdir(), "switchboard-fidelity-"));
function echo_deployment(file) {
  const text = readFileSync(path.join(ECHO, file), "utf8")
    .replace(/ping_interval: \S+/, "ping_interval: 25s")
    .replace(/ping_timeout: \S+/, "ping_timeout: 20s")
    .replace("scripts: [echo.lua]", `scripts: [${JSON.stringify(path.join(ECHO, "echo.lua"))}]`);
  const config = path.join(work, file);
  writeFileSync(config, text);
  return `exec ${SWITCHBOARD_BIN} serve --config ${config}`;
}
const NODE = `exec ${process.execPath} ${path.join(REPO, "tests", "e2e", "reference", "server.js")} ` +
  "--ping-interval 25000 --ping-timeout 20000";

const servers = {};
before(async () => {
  [servers.cpp, servers.lua, servers.node] = await Promise.all([
    start_server({ command: echo_deployment("switchboard.yaml") }),
    start_server({ command: echo_deployment("switchboard-lua.yaml") }),
    start_server({ command: NODE }),
  ]);
});
after(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
  rmSync(work, { recursive: true, force: true });
});

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function client_of(t, server) {
  const socket = io(server.url, { transports: ["websocket"], forceNew: true, reconnection: false });
  t.after(() => socket.disconnect());
  await within(new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  }), "connect");
  return socket;
}

function echo(socket, ...args) {
  return within(new Promise((resolve) => {
    socket.once("message-back", (...back) => resolve(back));
    socket.emit("message", ...args);
  }), "message-back");
}

// Deep equality that also checks every object's key order (JSON.stringify writes
// keys in insertion order), with Buffers compared by bytes.
function assert_faithful(actual, expected, what) {
  const text = (value) => JSON.stringify(value, (_, v) => (v?.type === "Buffer" ? { bytes: v.data } : v));
  assert.equal(text(actual), text(expected), what);
}

const LONE = "\ud800";
const nested = (depth) => (depth === 0 ? "bottom" : [nested(depth - 1)]);

const CASES = {
  "key order": { token: "abc", n: 1, z: { b: 2, a: [{ y: 1, x: 2 }] }, a: null },
  numbers: { big: 1e21, small: 1e-7, max_safe: 2 ** 53, negative: -1.5, float_int: 1.0 },
  escapes: { separator: "a\u2028b\u2029c", emoji: "😀 👍🏽", quote: "\"\\/\n\t", control: "\u0001" },
};

describe("socket.io-client 4.8 gets back what it sent", { concurrency: true }, () => {
  for (const name of ["cpp", "lua", "node"]) {
    test(`${name}: key order, numbers, escapes, in events and acks`, async (t) => {
      const socket = await client_of(t, servers[name]);
      for (const [what, payload] of Object.entries(CASES)) {
        assert_faithful(await echo(socket, payload, [payload]), [payload, [payload]], `${what} (event)`);
        const acked = await within(socket.emitWithAck("message-with-ack", payload), "ack");
        assert_faithful(acked, payload, `${what} (ack)`);
      }
    });

    test(`${name}: a lone surrogate`, async (t) => {
      const socket = await client_of(t, servers[name]);
      const [back] = await echo(socket, { text: `a${LONE}b` });
      // JSON.stringify writes "\ud800"; Node keeps it (JSON.parse does), Switchboard's
      // decoder reads it as U+FFFD, the same on every path (kernel, C++, Lua).
      assert.equal(back.text, name === "node" ? `a${LONE}b` : "a\ufffdb");
    });

    test(`${name}: binary in nested arrays and objects, keys in order`, async (t) => {
      const socket = await client_of(t, servers[name]);
      const payload = { z: Buffer.from([1, 2, 3]), list: [0, { y: Buffer.from("héllo"), a: [Buffer.alloc(0)] }], a: 1 };
      assert_faithful(await echo(socket, payload, Buffer.from([9])), [payload, Buffer.from([9])], "event");
      assert_faithful(await within(socket.emitWithAck("message-with-ack", payload), "ack"), payload, "ack");
    });

    test(`${name}: nesting at the decoder's bound comes back`, async (t) => {
      const socket = await client_of(t, servers[name]);
      // ["message", <value>]: the packet's array is one level, the value the rest.
      const deepest = nested(MAX_DEPTH - 1);
      assert_faithful(await echo(socket, deepest), [deepest], "at the bound");
    });
  }

  for (const name of ["cpp", "lua"]) {
    test(`${name}: one level past the bound closes that client only`, async (t) => {
      const socket = await client_of(t, servers[name]);
      const closed = within(new Promise((resolve) => socket.once("disconnect", resolve)), "disconnect");
      socket.emit("message", nested(MAX_DEPTH));
      await closed;
      const neighbour = await client_of(t, servers[name]);
      assert_faithful(await echo(neighbour, CASES["key order"]), [CASES["key order"]], "a neighbour is served");
    });
  }
});

// A raw Engine.IO v4 WebSocket session: text frames in, text and binary frames out.
async function raw_session(t, server) {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
  t.after(() => ws.terminate());
  const frames = [];
  const waiters = [];
  ws.on("message", (data, binary) => {
    const frame = binary ? Buffer.from(data) : data.toString();
    if (!binary && frame === "2") return ws.send("3");   // heartbeat
    frames.push(frame);
    while (waiters.length && frames.length) waiters.shift()(frames.shift());
  });
  const next = (what) =>
    within(new Promise((resolve) => (frames.length ? resolve(frames.shift()) : waiters.push(resolve))), what);
  await within(new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject)), "open");
  assert.match(await next("open packet"), /^0\{/);
  ws.send("40");
  assert.match(await next("CONNECT reply"), /^40\{/);
  assert.equal(await next("the auth emit"), '42["auth",{}]');
  return { send: (frame) => ws.send(frame), next };
}

// Arguments text no JavaScript client writes, and what each path answers with.
const RAW = [
  // [client text, Lua's answer (values.hpp's number rule)]
  ['{"token":"abc","n":1,"a":{"z":0,"b":[]}}', '{"token":"abc","n":1,"a":{"z":0,"b":[]}}'],
  ["1.0", "1.0"],
  ["1e21", "1e+21"],
  ["1e-7", "1e-07"],
  ["9007199254740993", "9007199254740993"],
  ["-0", "0"],
  ["123456789012345678901234567890", "1.2345678901234568e+29"],
  ['"\\u2028 \\ud83d\\ude00 \\u00e9"', '"\u2028 😀 é"'],
  ['{"k" : [ 1 , 2 ]}', '{"k":[1,2]}'],
];

describe("raw frames: the client's own text", { concurrency: true }, () => {
  test("cpp: the relay answers byte for byte, events and acks", async (t) => {
    const s = await raw_session(t, servers.cpp);
    for (const [text] of RAW) {
      s.send(`42["message",${text},[${text}]]`);
      assert.equal(await s.next(text), `42["message-back",${text},[${text}]]`);
      s.send(`427["message-with-ack",${text}]`);
      assert.equal(await s.next(`${text} ack`), `437[${text}]`);
    }
  });

  test("node: socket.io answers what JSON.parse then JSON.stringify make of it", async (t) => {
    const s = await raw_session(t, servers.node);
    for (const [text] of RAW) {
      s.send(`42["message",${text}]`);
      assert.equal(await s.next(text), `42["message-back",${JSON.stringify(JSON.parse(text))}]`);
    }
  });

  test("lua: key order kept, numbers as values.hpp states", async (t) => {
    const s = await raw_session(t, servers.lua);
    for (const [text, lua] of RAW) {
      s.send(`42["message",${text}]`);
      assert.equal(await s.next(text), `42["message-back",${lua}]`);
      s.send(`421["message-with-ack",${text}]`);
      assert.equal(await s.next(`${text} ack`), `431[${lua}]`);
    }
  });

  test("a lone surrogate escape reads as U+FFFD on every path", async (t) => {
    const cpp = await raw_session(t, servers.cpp);
    cpp.send('42["message","a\\ud800b"]');
    assert.equal(await cpp.next("cpp"), '42["message-back","a\\uFFFDb"]');
    const lua = await raw_session(t, servers.lua);
    lua.send('42["message","a\\ud800b"]');
    assert.equal(await lua.next("lua"), '42["message-back","a\ufffdb"]');
  });

  test("binary: placeholders and attachments relayed as sent, keys in order", async (t) => {
    const packet = '451-["message",{"z":{"_placeholder":true,"num":0},"a":[1,{"y":2,"b":true}]}]';
    const bytes = Buffer.from([0, 255, 7]);
    for (const name of ["cpp", "lua"]) {
      const s = await raw_session(t, servers[name]);
      s.send(packet);
      s.send(bytes);
      assert.equal(await s.next(`${name} text`), packet.replace('"message"', '"message-back"'), name);
      assert.deepEqual(await s.next(`${name} attachment`), bytes, name);
    }
  });
});

async function payload_work(server) {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  const read = (name) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
  return { parses: read("switchboard_payload_parses_total"), dumps: read("switchboard_payload_dumps_total") };
}

test("a relayed event costs the kernel one parse and no dump", async (t) => {
  // Its own deployment: /metrics counts every socket's packets.
  const server = await start_server({ command: echo_deployment("switchboard.yaml") });
  t.after(() => server.stop());
  const socket = await client_of(t, server);
  const payload = { token: "abc", n: 1, list: [1.5, "x", { b: 1, a: 2 }] };
  const before_events = await payload_work(server);
  const events = 20;
  for (let i = 0; i < events; i += 1) assert_faithful(await echo(socket, payload), [payload], `event ${i}`);
  const after_events = await payload_work(server);
  // The decoder's parse (which validates the text and reads the event name) is the
  // only one; the relay's text is checked (json::accept, no tree) and spliced into the
  // outgoing packet, which is the event's one serialization.
  assert.equal(after_events.parses - before_events.parses, events, "parses");
  assert.equal(after_events.dumps - before_events.dumps, 0, "dumps");
});
