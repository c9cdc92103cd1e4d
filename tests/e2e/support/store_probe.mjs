// Deployments with the store-probe test plugin (tests/support/store_probe), and the
// small client helpers the auth and storage specs share.
//
//   const d = await start_probe_deployment({ database: "postgresql" });
//   const alice = await connect_user(t, d, { auth: { token: d.token("alice") } });
//   const rows = await call(alice, "probe:query", { sql: "SELECT 1 AS one" });
//
// The plugin is built into <build>/test-plugins (next to $SWITCHBOARD_BIN), or
// $SWITCHBOARD_TEST_PLUGINS when set. Its migrations come from the plugin's folder,
// not the repository's migrations/, so they never run in a real deployment.
import assert from "node:assert/strict";
import path from "node:path";
import { io } from "socket.io-client";

import { REPO, SWITCHBOARD_BIN, start_deployment } from "./deployment.mjs";
import { with_timeout } from "./client.mjs";

export const PROBE_PLUGIN_DIR = process.env.SWITCHBOARD_TEST_PLUGINS ?? path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins");
export const PROBE_MIGRATIONS = path.join(REPO, "tests", "support", "store_probe", "migrations");
export const CALL_TIMEOUT_MS = 10_000;

// start_deployment's options, plus probe_config (the plugin's config section).
export function start_probe_deployment(options = {}) {
  const { probe_config, ...rest } = options;
  return start_deployment({
    ...rest,
    plugins: [{ name: "store-probe", config: probe_config ?? {} }, ...(rest.plugins ?? [])],
    database_settings: { migrations_dir: PROBE_MIGRATIONS, ...(rest.database_settings ?? {}) },
    extra: { plugin_path: [PROBE_PLUGIN_DIR], ...(rest.extra ?? {}) },
  });
}

// A socket.io-client socket on `d` that closes when test `t` ends; not connected yet.
export function probe_socket(t, d, { nsp = "/", ...options } = {}) {
  const socket = io(d.url + nsp, { forceNew: true, autoConnect: false, reconnection: false, transports: ["websocket"], ...options });
  t.after(() => socket.disconnect());
  return socket;
}

// Connects and resolves with the socket, or rejects with the connect_error.
export function connect_socket(socket, timeout = CALL_TIMEOUT_MS) {
  const outcome = new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => reject(error));
  });
  socket.connect();
  return with_timeout(outcome, timeout, "connecting");
}

export async function connect_user(t, d, options = {}) {
  return connect_socket(probe_socket(t, d, options));
}

// The connect_error a refused socket gets: {message, data}. Fails if it connects.
export async function refusal_of(t, d, options = {}) {
  const socket = probe_socket(t, d, options);
  try {
    await connect_socket(socket);
  } catch (error) {
    if (/^timed out/.test(error.message)) throw error;
    return { message: error.message, data: error.data };
  }
  assert.fail(`the connection was accepted (socket ${socket.id}) but should have been refused`);
}

// Emits with an ack and resolves with the ack's first argument.
export function call(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(CALL_TIMEOUT_MS).emit(event, ...args, (error, answer) => {
      if (error) reject(new Error(`no ack for "${event}" within ${CALL_TIMEOUT_MS} ms`));
      else resolve(answer);
    });
  });
}

// An ack that is a {code, message} failure.
export function is_failure(answer) {
  return answer !== null && typeof answer === "object" && !Array.isArray(answer) && typeof answer.code === "string" && typeof answer.message === "string";
}

// Calls and expects success: fails the test with the server's error otherwise.
export async function ok(socket, event, ...args) {
  const answer = await call(socket, event, ...args);
  assert.ok(!is_failure(answer), `${event} failed: ${JSON.stringify(answer)}`);
  return answer;
}

// Calls and expects the failure `code`; resolves with {code, message}.
export async function fails(socket, event, code, ...args) {
  const answer = await call(socket, event, ...args);
  assert.ok(is_failure(answer), `${event} should fail with ${code}, got ${JSON.stringify(answer)}`);
  assert.equal(answer.code, code, `${event}: ${answer.message}`);
  return answer;
}

// Waits for `event` on `socket` matching `where`; resolves with its first argument.
export function next_event(socket, event, { where = () => true, timeout = CALL_TIMEOUT_MS } = {}) {
  let listener;
  const waiting = new Promise((resolve) => {
    listener = (value) => {
      if (where(value)) resolve(value);
    };
    socket.on(event, listener);
  });
  return with_timeout(waiting, timeout, `event "${event}"`).finally(() => socket.off(event, listener));
}

// SQLite returns computed columns as text: numbers are compared as numbers.
export const num = (value) => (value === null ? null : Number(value));

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
