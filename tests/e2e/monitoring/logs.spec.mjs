// Logs people can search (#19): log.format json writes one object per line, each
// component logs at its own level over the global one, every line about an HTTP
// request or an Engine.IO session carries its request id (a plugin's own lines
// included), and no token, API key or Engine.IO session id ever reaches the log.
// Real socket.io-clients and plain HTTP requests drive a real server.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Clients, TRANSPORT_MODES, once } from "../support/client.mjs";
import { start_lua } from "../lua/support.mjs";
import { wait_for } from "../hardening/support.mjs";

const API_KEY = "api-key-that-must-never-be-logged-5d1c";
const WS = TRANSPORT_MODES[0];
const POLLING = TRANSPORT_MODES[1];

// Logs at info from inside an event handler: the runtime adds the socket's fields.
const SCRIPT = `
local sb = require("switchboard")
sb.on("note", function(ctx, text)
  sb.log.info("note of " .. #text .. " characters")
  return true
end, { inline = true })
`;

async function start(format) {
  return start_lua({
    scripts: { "notes.lua": SCRIPT },
    namespaces: [{ name: "/", anonymous: false }],
    extra: {
      api: { keys: [API_KEY], keys_env: [] },
      log: { format, level: "warn", levels: { engineio: "debug", socketio: "debug", http: "debug", auth: "info", lua: "info" } },
    },
  });
}

// Every line of the output as JSON: one that does not parse fails the test.
function json_lines(output) {
  return output.split("\n").filter((line) => line.length > 0).map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      assert.fail(`a log line is not JSON: ${line}`);
    }
  });
}

// A handshake as a raw polling request with our own X-Request-Id.
async function handshake_with_request_id(url, id, token) {
  const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling&token=${token}`, { headers: { "X-Request-Id": id } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-request-id"), id, "the response names the request id");
  const body = await response.text();
  return JSON.parse(body.slice(1)).sid;
}

async function drive(t, d) {
  const clients = new Clients(t, d);
  const token = d.token("alice");
  const ws = await clients.connect(WS, { auth: { token } });
  assert.equal(await ws.socket.emitWithAck("note", "hello"), true);
  const engine_ids = [ws.socket.io.engine.id];
  const ws_socket_id = ws.socket.id;

  const polling = await clients.connect(POLLING, { query: { token } });
  engine_ids.push(polling.socket.io.engine.id);
  const refused = clients.create(WS, { auth: { token: "not.a.token" } });
  refused.socket.connect();
  await once(refused.socket, "connect_error");

  const raw_sid = await handshake_with_request_id(d.url, "test-request-42", token);
  engine_ids.push(raw_sid);
  const answer = await fetch(`${d.url}/api/emit`, {
    method: "POST",
    headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ event: "hello", data: [1] }),
  });
  assert.equal(answer.status, 200);
  const api_request_id = answer.headers.get("x-request-id");
  assert.match(api_request_id ?? "", /^[0-9a-f]{8}-[0-9a-f]+$/, "a fresh request id when the client sends none");

  ws.socket.disconnect();
  // The session's last line: written once the server saw the client leave.
  await wait_for(() => d.output().includes("session closed"), "the session's close line");
  return { token, engine_ids, ws_socket_id, api_request_id };
}

function assert_no_secrets(output, { token, engine_ids }) {
  assert.ok(!output.includes(token), "a token reached the log");
  assert.ok(!output.includes("not.a.token"), "a refused token reached the log");
  assert.ok(!output.includes(API_KEY), "an API key reached the log");
  for (const sid of engine_ids) assert.ok(!output.includes(sid), `Engine.IO session id ${sid} reached the log`);
}

test("log.format json: every line is an object; levels per component; request ids tie lines together", async (t) => {
  const d = await start("json");
  t.after(() => d.stop());
  const seen = await drive(t, d);
  await wait_for(() => json_lines(d.output()).some((l) => l.socket === seen.ws_socket_id && l.message.startsWith("socket disconnected")),
    "the socket's disconnect line");
  const lines = json_lines(d.output());

  for (const line of lines) {
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(["trace", "debug", "info", "warn", "error"].includes(line.level), JSON.stringify(line));
    assert.equal(typeof line.component, "string");
    assert.equal(typeof line.message, "string");
  }
  // The global level (warn) holds for every component without its own.
  const own = { engineio: "debug", socketio: "debug", http: "debug", auth: "info", lua: "info" };
  const rank = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
  for (const line of lines)
    assert.ok(rank[line.level] >= rank[own[line.component] ?? "warn"], `below its component's level: ${JSON.stringify(line)}`);
  assert.ok(lines.some((l) => l.component === "engineio" && l.level === "debug"), "engineio debug lines");
  assert.ok(lines.some((l) => l.component === "http" && l.level === "debug"), "http debug lines");
  assert.ok(lines.some((l) => l.component === "auth" && l.level === "info"), "the refused token's auth line");
  assert.ok(!lines.some((l) => l.component === "auth" && l.level === "debug"));

  // One WebSocket session: its handshake, its socket, the plugin's line from its
  // handler and its close all carry the same request id.
  const connected = lines.find((l) => l.socket === seen.ws_socket_id && l.message === "socket connected");
  assert.ok(connected, "the socket's connect line");
  assert.equal(connected.namespace, "/");
  assert.equal(connected.user, "alice");
  const id = connected.request_id;
  assert.ok(id, "the socket's lines carry a request id");
  const about = lines.filter((l) => l.request_id === id);
  assert.ok(about.some((l) => l.component === "engineio" && l.message.startsWith("session opened") && l.transport === "websocket"));
  const note = about.find((l) => l.component === "lua" && l.message.endsWith("notes.lua:4: note of 5 characters"));
  assert.ok(note, "the handler's own line carries the socket's request id");
  assert.equal(note.level, "info");
  assert.equal(note.plugin, "lua");
  assert.equal(note.event, "note");
  assert.equal(note.socket, seen.ws_socket_id);
  assert.ok(about.some((l) => l.component === "engineio" && l.message.startsWith("session closed")));
  assert.ok(about.some((l) => l.component === "socketio" && l.message.startsWith("socket disconnected")));
  // No other session's line shares it.
  assert.ok(about.every((l) => l.socket === undefined || l.socket === seen.ws_socket_id));

  // A client's X-Request-Id names its request and the session it opened.
  const raw = lines.filter((l) => l.request_id === "test-request-42");
  assert.ok(raw.some((l) => l.component === "http" && /^GET \/socket\.io\/ 200/.test(l.message)), JSON.stringify(raw));
  assert.ok(raw.some((l) => l.component === "engineio" && l.message.startsWith("session opened") && l.transport === "polling"));
  // The API call's line carries the id its response named.
  assert.ok(lines.some((l) => l.request_id === seen.api_request_id && /^POST \/api\/emit 200/.test(l.message)));

  assert_no_secrets(d.output(), seen);
});

test("log.format text: the same fields as key=value, and no secrets either", async (t) => {
  const d = await start("text");
  t.after(() => d.stop());
  const seen = await drive(t, d);
  const output = d.output();
  for (const line of output.split("\n").filter((l) => l.length > 0))
    assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR) \[[a-z_-]+\] /, line);
  assert.match(output, /\[engineio\] session opened \(Engine\.IO v4\) request_id=test-request-42 transport=polling remote=127\.0\.0\.1/);
  assert.match(output, new RegExp(`\\[lua\\] \\S+notes\\.lua:4: note of 5 characters plugin=lua request_id=\\S+ socket=${seen.ws_socket_id} namespace=/ user=alice event=note`));
  assert_no_secrets(output, seen);
});
