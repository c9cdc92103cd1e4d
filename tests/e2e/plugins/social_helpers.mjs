// Shared by the blog, events and social specs: connected users with inboxes, acks in
// the platform's convention ([null, result] / [{code, message}]), and a look into the
// deployment's database to compare what clients were told with what is stored.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { io } from "socket.io-client";

import { DEFAULT_TIMEOUT_MS, Inbox, once, unique } from "../support/client.mjs";

const exec_file = promisify(execFile);

export const WEBSOCKET = { transports: ["websocket"] };
export const POLLING = { transports: ["polling"] };

// Sockets of one test, closed when it ends (pass or fail).
export function users_for(t, d) {
  const open = [];
  t.after(() => open.forEach((s) => s.disconnect()));
  return {
    // A connected device of `user` (null: anonymous) with an inbox recording everything.
    async connect(user, { options = WEBSOCKET, nsp = "/", timeout = DEFAULT_TIMEOUT_MS } = {}) {
      const socket = io(d.url + nsp, {
        forceNew: true,
        reconnection: false,
        autoConnect: false,
        auth: user ? { token: d.token(user) } : {},
        ...options,
      });
      open.push(socket);
      const device = { socket, user, inbox: new Inbox(socket, `${user ?? "anonymous"}`) };
      socket.connect();
      await once(socket, "connect", { what: `${user} connecting`, fail_on: ["connect_error"], timeout });
      return device;
    },
  };
}

// A new user's device through `home` (users_for's) and a second device of theirs
// through `other`: one user connected to both nodes of a pair.
export async function user_on_both(home, other, name) {
  const device = await home.connect(unique(name));
  return [device, await other.connect(device.user)];
}

// How long an ack may take. Generous: the suite runs beside others on a loaded
// two-core machine, where a burst spec's database can stall for seconds; a missing
// ack still fails, only later.
const ACK_TIMEOUT_MS = DEFAULT_TIMEOUT_MS * 6;

// Emits with an ack; resolves with the ack's arguments.
export function request(device, event, ...args) {
  return new Promise((resolve, reject) => {
    device.socket.timeout(ACK_TIMEOUT_MS).emit(event, ...args, (error, ...answer) => {
      if (error) reject(new Error(`${device.user}: no ack for ${event} (${error.message})`));
      else resolve(answer);
    });
  });
}

// The result of a request that must succeed.
export async function ok(device, event, ...args) {
  const answer = await request(device, event, ...args);
  assert.equal(answer[0], null, `${event} ${JSON.stringify(args).slice(0, 120)} should succeed, got ${JSON.stringify(answer[0])}`);
  return answer[1];
}

// The error code of a request that must fail; the message must say something.
export async function refused(device, event, ...args) {
  const answer = await request(device, event, ...args);
  assert.equal(answer.length, 1, `${event} ${JSON.stringify(args).slice(0, 120)}: expected a refusal, got ${JSON.stringify(answer).slice(0, 200)}`);
  assert.equal(typeof answer[0].code, "string");
  assert.ok(answer[0].message.length > 0);
  return answer[0].code;
}

// The command line that runs `sql` on the deployment's database.
function db_command(d, sql) {
  if (d.database_url.startsWith("sqlite:"))
    return ["sqlite3", ["-separator", "|", d.database_url.slice("sqlite:".length), sql]];
  return ["psql", [d.database_url, "-v", "ON_ERROR_STOP=1", "-qtAF", "|", "-c", sql]];
}

const rows_of = (out) => out.split("\n").filter((line) => line.length > 0).map((line) => line.split("|"));

// The deployment's database is read and written without blocking this process: while
// the client spawned for it runs (long, on a loaded machine), the spec's sockets keep
// answering the server's pings (a second apart in the specs), which a blocked process
// would miss and lose its connections.

// Rows of a SELECT on the deployment's database, as arrays of strings.
export async function db_rows(d, sql) {
  const [command, args] = db_command(d, sql);
  const { stdout } = await exec_file(command, args, { encoding: "utf8" });
  return rows_of(stdout);
}

// Runs a statement on the deployment's database (a spec setting up what no client
// can, such as a post written two days ago).
export async function db_exec(d, sql) {
  await db_rows(d, sql);
}

// The first column of the first row, as a number.
export async function db_number(d, sql) {
  return Number((await db_rows(d, sql))[0][0]);
}

// The value of a counter on /metrics (0 when absent).
export async function metric(d, name) {
  const response = await fetch(`${d.url}/metrics`);
  const text = await response.text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

// The server API key the specs configure (api.keys), and a publish on the bus through
// POST /api/publish, the way a backend reaches the plugins.
export const API_KEY = "spec-server-api-key-0123456789";

export async function publish(d, topic, payload) {
  const response = await fetch(`${d.url}/api/publish`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": API_KEY },
    body: JSON.stringify({ topic, payload }),
  });
  assert.equal(response.status, 202, `publish ${topic}: ${await response.text()}`);
}
