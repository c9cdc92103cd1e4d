// Client-side helpers shared by the test files: the three transport modes,
// clients that close themselves when their test ends, an inbox that records
// every incoming event from the moment the socket exists (so nothing that
// arrives together with CONNECT is missed), and timeouts that fail loudly.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { io, Manager } from "socket.io-client";
import msgpack_parser from "socket.io-msgpack-parser";

// SWITCHBOARD_E2E_PARSER=msgpack: every client is built with socket.io-msgpack-parser,
// for a server deployed with that parser (socketio.parser: msgpack).
export const PARSER = process.env.SWITCHBOARD_E2E_PARSER === "msgpack" ? "msgpack" : "json";
const PARSER_OPTIONS = PARSER === "msgpack" ? { parser: msgpack_parser } : {};

export const DEFAULT_TIMEOUT_MS = 5_000;

// Every behavior is checked over each way a client can reach the server.
export const TRANSPORT_MODES = [
  { name: "websocket", options: { transports: ["websocket"] }, final_transport: "websocket" },
  { name: "polling", options: { transports: ["polling"] }, final_transport: "polling" },
  { name: "polling+upgrade", options: {}, final_transport: "websocket" },
];

export function unique(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

// Resolves with `promise`, or rejects with `what` once `ms` have passed.
export function with_timeout(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    // A wait that nobody awaits any more must not keep the test process alive.
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// Asks `probe` (sync or async) until it holds, for states another process reaches in
// its own time where no event tells the test; throws `what` after `ms`. The loop itself
// ends at the deadline: a wait abandoned by a timeout must not poll on and keep the test
// process alive.
// Resolves with the probe's first truthy answer.
export async function until(probe, what, ms = DEFAULT_TIMEOUT_MS, every_ms = 20) {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await probe();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every_ms));
  }
}

// Waits for one `event` on an emitter (socket, manager or engine); rejects on
// timeout, or at once when one of `fail_on` fires first.
export function once(emitter, event, { timeout = DEFAULT_TIMEOUT_MS, what, fail_on = [] } = {}) {
  const label = what ?? `event "${event}"`;
  const cleanups = [];
  const waiting = new Promise((resolve, reject) => {
    const on_event = (...args) => resolve(args);
    emitter.once(event, on_event);
    cleanups.push(() => emitter.off(event, on_event));
    for (const failure of fail_on) {
      const on_failure = (...args) => {
        const detail = args[0] instanceof Error ? args[0].message : JSON.stringify(args);
        reject(new Error(`${label}: got "${failure}" instead (${detail})`));
      };
      emitter.once(failure, on_failure);
      cleanups.push(() => emitter.off(failure, on_failure));
    }
  });
  return with_timeout(waiting, timeout, label).finally(() => cleanups.forEach((c) => c()));
}

// Records every event the server sends to one socket, in arrival order.
export class Inbox {
  constructor(socket, label) {
    this.label = label;
    this.entries = [];
    this.waiters = [];
    // Why the socket went away when its manager will not bring it back: nothing more
    // can arrive until the test connects it again, so a wait says so at once instead
    // of timing out (a missed heartbeat reads "ping timeout", not "timed out waiting").
    this.gone = null;
    socket.onAny((event, ...args) => this.#push(event, args));
    socket.on("disconnect", (reason) => {
      if (socket.io.reconnection()) return;
      this.gone = reason;
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.#gone_error(waiter.event));
    });
    socket.on("connect", () => (this.gone = null));
  }

  #gone_error(event) {
    return new Error(`${this.label} disconnected (${this.gone}) while waiting for event "${event}"`);
  }

  #push(event, args) {
    const entry = { event, args, taken: false };
    this.entries.push(entry);
    const index = this.waiters.findIndex((w) => w.event === event && w.where(args));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      entry.taken = true;
      waiter.resolve(args);
    }
  }

  // The args of the first not yet taken `event` matching `where`, waiting for it
  // if it has not arrived. Taking it means a later call sees the next one.
  next(event, { where = () => true, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const entry = this.entries.find((e) => !e.taken && e.event === event && where(e.args));
    if (entry) {
      entry.taken = true;
      return Promise.resolve(entry.args);
    }
    if (this.gone) return Promise.reject(this.#gone_error(event));
    let waiter;
    const waiting = new Promise((resolve, reject) => {
      waiter = { event, where, resolve, reject };
      this.waiters.push(waiter);
    });
    return with_timeout(waiting, timeout, `${this.label} waiting for event "${event}"`).finally(() => {
      const index = this.waiters.indexOf(waiter);
      if (index >= 0) this.waiters.splice(index, 1);
    });
  }

  // Every recorded `event` (taken or not), as arrays of args.
  all(event) {
    return this.entries.filter((e) => e.event === event).map((e) => e.args);
  }
}

// Tracks the sockets of one test and closes them when it ends, pass or fail.
export class Clients {
  constructor(test_context, server) {
    this.server = server;
    this.sockets = [];
    test_context.after(() => this.close_all());
  }

  // A socket with its inbox, not yet connected: listeners can be added first.
  create(mode, { nsp = "/", label, ...options } = {}) {
    const socket = io(this.server.url + nsp, {
      forceNew: true,
      autoConnect: false,
      reconnection: false,
      ...PARSER_OPTIONS,
      ...mode.options,
      ...options,
    });
    this.sockets.push(socket);
    const client = {
      socket,
      label: label ?? `client ${this.sockets.length} on ${nsp} (${mode.name})`,
    };
    client.inbox = new Inbox(socket, client.label);
    return client;
  }

  // A connected client: resolves after "connect", rejects on "connect_error".
  async connect(mode, options = {}) {
    const client = this.create(mode, options);
    await connect(client);
    return client;
  }

  // Several sockets sharing one Manager (one Engine.IO connection).
  multiplexed(mode, namespaces, options = {}) {
    const manager = new Manager(this.server.url, {
      autoConnect: false,
      reconnection: false,
      ...PARSER_OPTIONS,
      ...mode.options,
      ...options,
    });
    return namespaces.map((nsp, i) => {
      const socket = manager.socket(nsp, options.auth ? { auth: options.auth } : {});
      this.sockets.push(socket);
      const client = { socket, label: `multiplexed socket ${i} on ${nsp} (${mode.name})` };
      client.inbox = new Inbox(socket, client.label);
      return client;
    });
  }

  close_all() {
    for (const socket of this.sockets) socket.disconnect();
    this.sockets = [];
  }
}

// Connects `client` and waits for "connect"; rejects on "connect_error".
export async function connect(client, options = {}) {
  const connected = connected_promise(client, options);
  client.socket.connect();
  await connected;
}

// Waits for "connect" of a socket whose connect() was already called (calling
// it again on an open manager would send a second CONNECT packet).
export async function wait_connected(client, options = {}) {
  if (client.socket.connected) return;
  await connected_promise(client, options);
}

async function connected_promise(client, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
  await once(client.socket, "connect", {
    timeout,
    what: `${client.label} connecting`,
    fail_on: ["connect_error"],
  });
  assert.equal(client.socket.connected, true, `${client.label} should be connected`);
}

// Client-to-server emit with ack, bounded by a timeout with a clear message.
// Resolves with every argument of the ack, as an array.
export function request_all(client, event, ...args) {
  return new Promise((resolve, reject) => {
    client.socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, ...args, (error, ...response) => {
      if (error) {
        reject(new Error(`${client.label}: no ack for "${event}" (${error.message}; timeout ${DEFAULT_TIMEOUT_MS} ms)`));
      } else {
        resolve(response);
      }
    });
  });
}

// Same, resolving with the ack's first argument.
export async function request(client, event, ...args) {
  const response = await request_all(client, event, ...args);
  return response[0];
}

export async function join(client, room) {
  assert.equal(await request(client, "join", room), true, `${client.label} join ${room}`);
}

export async function leave(client, room) {
  assert.equal(await request(client, "leave", room), true, `${client.label} leave ${room}`);
}

export async function rooms(client) {
  return request(client, "rooms");
}

// Asks the server app to emit through an operator built from `spec`
// ({to, except, event, args, exclude_self, volatile}); resolves once the server
// has emitted.
export async function server_emit(client, spec) {
  assert.equal(await request(client, "emit", spec), true, `${client.label} emit ${JSON.stringify(spec.event)}`);
}

// A namespace-wide event sent after a broadcast: a server keeps the order of
// packets to one socket, so once every client has seen the fence, anything
// the broadcast was going to deliver has arrived. It lets a test assert
// "did not receive" without sleeping.
export async function fence(sender, clients) {
  const token = unique("fence");
  await server_emit(sender, { event: "fence", args: [token] });
  await Promise.all(clients.map((c) => c.inbox.next("fence", { where: (args) => args[0] === token })));
}

// Deep-comparable form of a value: every binary kind (Buffer, ArrayBuffer,
// typed array) becomes {binary: hex}, since the client may hand back a
// different binary type than the one sent.
export function normalize(value) {
  if (value instanceof ArrayBuffer) return { binary: Buffer.from(value).toString("hex") };
  if (ArrayBuffer.isView(value)) {
    return { binary: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex") };
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

export function assert_same(actual, expected, message) {
  assert.deepStrictEqual(normalize(actual), normalize(expected), message);
}

export function is_binary(value) {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}
