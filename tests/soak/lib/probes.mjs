// The misbehaving side of the hardening soak (#10's probes), run at random while the
// well-behaved clients chat. Each probe reports how the server answered; "held" means
// the defence the issue asks for was seen (refused, closed, cut off in time).
import net from "node:net";

import { io, WebSocket } from "./modules.mjs";
import { pick } from "./random.mjs";

const EIO = "/socket.io/?EIO=4";
const HEADER_DEADLINE_MS = 10_000 + 10_000;   // server.header_timeout (10 s) and a margin for a loaded machine

function closed_within(socket, ms) {
  return new Promise((resolve) => {
    const began = Date.now();
    const timer = setTimeout(() => resolve(null), ms);
    socket.once("close", () => (clearTimeout(timer), resolve(Date.now() - began)));
  });
}

// A WebSocket whose Engine.IO open packet arrived (or null).
function engine_websocket(base, options = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace("http", "ws")}${EIO}&transport=websocket`, options);
    const timer = setTimeout(() => (ws.terminate(), resolve(null)), 10_000);
    ws.once("message", () => (clearTimeout(timer), resolve(ws)));
    ws.once("error", () => (clearTimeout(timer), resolve(null)));
  });
}

function ws_closed(ws, ms) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    ws.once("close", () => (clearTimeout(timer), resolve(true)));
  });
}

const MALFORMED = [
  "40{",
  '42["a",',
  "4x",
  "9",
  "",
  '42{"not":"an array"}',
  "4" + "[".repeat(10_000),
  '451-["e",{"_placeholder":true,"num":99}]',
  Buffer.from([0xff, 0x00, 0x13, 0x37]),
];

export const PROBES = {
  // Garbage after the open packet: refused by closing, or ignored; never a crash.
  async malformed({ url }) {
    const ws = await engine_websocket(url);
    if (!ws) return "no_handshake";
    ws.send(pick(MALFORMED));
    const closed = await ws_closed(ws, 5_000);
    ws.terminate();
    return closed ? "held: closed" : "held: ignored";
  },
  // A header byte a second: cut at the header deadline.
  async slowloris({ host, port }) {
    const socket = net.connect(port, host);
    socket.on("error", () => {});
    socket.write(`GET ${EIO}&transport=polling HTTP/1.1\r\nHost: soak\r\n`);
    const drip = setInterval(() => socket.writable && socket.write("X"), 1_000);
    const ms = await closed_within(socket, HEADER_DEADLINE_MS);
    clearInterval(drip);
    socket.destroy();
    return ms === null ? "unexpected: still open" : "held: closed";
  },
  // Connects and says nothing: closed at the header deadline.
  async silent({ host, port }) {
    const socket = net.connect(port, host);
    socket.on("error", () => {});
    const ms = await closed_within(socket, HEADER_DEADLINE_MS);
    socket.destroy();
    return ms === null ? "unexpected: still open" : "held: closed";
  },
  // A polling POST twice max_payload: 413 (or the connection cut).
  async oversized_post({ url }) {
    const open = await fetch(`${url}${EIO}&transport=polling`).catch(() => null);
    if (!open?.ok) return "no_handshake";
    const sid = JSON.parse((await open.text()).slice(1)).sid;
    const answer = await fetch(`${url}${EIO}&transport=polling&sid=${sid}`, {
      method: "POST",
      body: "4" + "x".repeat(2 * 1024 * 1024),
      headers: { "content-type": "text/plain" },
    }).catch(() => null);
    return answer === null || answer.status === 413 ? "held: refused" : `unexpected: ${answer.status}`;
  },
  // A WebSocket message twice max_payload: closed.
  async oversized_message({ url }) {
    const ws = await engine_websocket(url);
    if (!ws) return "no_handshake";
    ws.send("4" + "x".repeat(2 * 1024 * 1024));
    const closed = await ws_closed(ws, 10_000);
    ws.terminate();
    return closed ? "held: closed" : "unexpected: still open";
  },
  // One attachment named by thousands of placeholders, before any namespace: refused
  // when announced, never copied.
  async amplification({ url }) {
    const ws = await engine_websocket(url);
    if (!ws) return "no_handshake";
    const placeholders = Array(20_000).fill('{"_placeholder":true,"num":0}').join(",");
    ws.send(`451-["e",${placeholders}]`);
    ws.send(Buffer.alloc(256 * 1024, 1), () => {});
    const closed = await ws_closed(ws, 10_000);
    ws.terminate();
    return closed ? "held: closed" : "unexpected: still open";
  },
  // Joins a busy chat room, then stops reading and floods WebSocket pings for 30 s.
  async never_reading({ url, token, room }) {
    const ws = await engine_websocket(url);
    if (!ws) return "no_handshake";
    ws.send(`40${JSON.stringify({ token })}`);
    ws.send(`42${JSON.stringify(["chat:join", { room }])}`);
    ws._socket.pause();
    const flood = setInterval(() => {
      for (let i = 0; i < 100; i++) ws.ping(Buffer.alloc(100));
    }, 100);
    const closed = await ws_closed(ws, 30_000);
    clearInterval(flood);
    ws.terminate();
    return closed ? "held: closed by the server" : "held: left after 30 s";
  },
  // Tokens that must be refused: garbage, a wrong signature, expired.
  async bad_token({ url, bad_tokens }) {
    const socket = io(url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: pick(bad_tokens) } });
    const outcome = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve("unexpected: no answer"), 10_000);
      socket.once("connect", () => (clearTimeout(timer), resolve("unexpected: accepted")));
      socket.once("connect_error", () => (clearTimeout(timer), resolve("held: refused")));
    });
    socket.disconnect();
    return outcome;
  },
};

// How many of each may run at once (slow ones hold descriptors for up to 30 s).
const CONCURRENCY = { malformed: 10, slowloris: 100, silent: 100, oversized_post: 2, oversized_message: 2, amplification: 2, never_reading: 5, bad_token: 10 };

// args: {url, token, room, bad_tokens, rate_per_s}
export function create({ url, token, room, bad_tokens, rate_per_s }) {
  const { hostname: host, port } = new URL(url);
  const context = { url, host, port: Number(port), token, room, bad_tokens };
  const running_now = Object.fromEntries(Object.keys(PROBES).map((k) => [k, 0]));
  const outcomes = {};
  let timer = null;
  const in_flight = new Set();

  function launch() {
    const kind = pick(Object.keys(PROBES).filter((k) => running_now[k] < CONCURRENCY[k]));
    if (!kind) return;
    running_now[kind]++;
    const run = PROBES[kind](context)
      .catch((error) => `error: ${error.code ?? error.message}`)
      .then((outcome) => {
        running_now[kind]--;
        outcomes[kind] ??= {};
        outcomes[kind][outcome] = (outcomes[kind][outcome] ?? 0) + 1;
        in_flight.delete(run);
      });
    in_flight.add(run);
  }

  return {
    start() {
      timer = setInterval(launch, 1000 / rate_per_s);
    },
    status() {
      return { running: { ...running_now } };
    },
    async report() {
      clearInterval(timer);
      await Promise.all(in_flight);
      return { outcomes };
    },
  };
}
