// What an operator asks of a running server (#19): `switchboard status` against a
// live server and a stopped one, and the /metrics series for CONNECT refusals by
// code, dropped volatile packets, outgoing queue bytes, the database pool and
// statement times by plugin, and reloads, each moved by real traffic.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";

import { Clients, TRANSPORT_MODES, once } from "../support/client.mjs";
import { SWITCHBOARD_BIN, sign_token } from "../support/deployment.mjs";
import { connect_user, ok, start_probe_deployment } from "../support/store_probe.mjs";
import { start_lua } from "../lua/support.mjs";
import { metrics, wait_for } from "../hardening/support.mjs";

const API_KEY = "operations-spec-key";
const WS = TRANSPORT_MODES[0];
const POLLING = TRANSPORT_MODES[1];
const PROMTOOL = process.env.SWITCHBOARD_PROMTOOL ?? "/usr/bin/promtool";

function status(...args) {
  const result = spawnSync(SWITCHBOARD_BIN, ["status", ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function start(options = {}) {
  return start_probe_deployment({
    ...options,
    namespaces: [{ name: "/", anonymous: false }, { name: "/open", anonymous: true }],
    socketio: { recovery: { enabled: true } },
    extra: { api: { keys: [API_KEY], keys_env: [] } },
  });
}

test("switchboard status summarizes a running server, and says so when none answers", async (t) => {
  const d = await start();
  t.after(() => d.stop());
  const clients = new Clients(t, d);
  const alice = await connect_user(t, d, { auth: { token: d.token("alice") } });
  await ok(alice, "probe:query", { sql: "SELECT 1 AS one" });
  await clients.connect(POLLING, { nsp: "/open" });
  const refused = clients.create(WS, { auth: { token: "not.a.token" } });
  refused.socket.connect();
  await once(refused.socket, "connect_error");

  const { code, stdout, stderr } = status("--url", d.url);
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`^switchboard \\d+\\.\\d+\\.\\d+ at ${d.url.replace(/[.]/g, "\\.")} \\(pid \\d+, up \\d+[smhd]`));
  assert.match(stdout, /^sessions: +2 \(polling 1, websocket 1\)$/m);
  assert.match(stdout, /^sockets: +2$/m);
  // alice is in her user room (user:alice); the anonymous socket in none.
  assert.match(stdout, /^ {2}\/: 1 socket, 1 room$/m);
  assert.match(stdout, /^ {2}\/open: 1 socket, 0 rooms$/m);
  assert.match(stdout, /^ {2}store-probe( \S+)?: loaded, 0 failures, 0 reloads$/m);
  assert.match(stdout, /^cluster: +none \(this node alone\)$/m);
  assert.match(stdout, /^recovery: +0 recovered, 0 events replayed; not recovered: none$/m);
  assert.match(stdout, /^backpressure: outgoing queues \d+ B, 0 volatile packets dropped, 0 events waiting for the pool, 0 read pauses$/m);
  assert.match(stdout, /^CONNECT refused: invalid_token 1$/m);

  const url = d.url;
  await d.stop();
  const stopped = status("--url", url);
  assert.equal(stopped.code, 1);
  assert.equal(stopped.stdout, "");
  assert.match(stopped.stderr, new RegExp(`^switchboard: no server answers at ${url.replace(/[.]/g, "\\.")} \\(cannot reach`));
  const bad = status("--url", "localhost:1");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--url must be http:\/\/host:port/);
});

test("/status and status refuse an address outside server.monitoring_allow", async (t) => {
  const d = await start_probe_deployment({ extra: { server: { host: "127.0.0.1", shutdown_timeout: "2s", monitoring_allow: ["10.0.0.0/8"] } } });
  t.after(() => d.stop());
  assert.equal((await fetch(`${d.url}/status`)).status, 403);
  const refused = status("--url", d.url);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refuses \/status from this address \(add it to server\.monitoring_allow\)/);
});

test("the operations series move with traffic, and promtool still accepts /metrics", async (t) => {
  // No ping within the test: one queued before the volatile packets would have them
  // all dropped (a stall of a second on a busy machine is enough).
  const d = await start({ engineio: { ping_interval: "20s", ping_timeout: "20s" } });
  t.after(() => d.stop());
  const before = await metrics(d.url);
  const moved = (now, series) => (now[series] ?? 0) - (before[series] ?? 0);

  // CONNECT refusals, by the code each carries.
  const clients = new Clients(t, d);
  // Each refusal is counted under the code its client received (data.code).
  const refusals = [{ auth: {} }, { auth: { token: "not.a.token" } }, { auth: { token: sign_token("another-secret", { sub: "x" }) } },
    { nsp: "/nowhere" }];
  const expected = {};
  for (const options of refusals) {
    const client = clients.create(WS, options);
    client.socket.connect();
    const [error] = await once(client.socket, "connect_error");
    const code = options.nsp ? "invalid_namespace" : error.data?.code ?? "unspecified";
    expected[code] = (expected[code] ?? 0) + 1;
  }
  assert.equal(expected.invalid_token, 2, JSON.stringify(expected));

  // The database: a plugin's statements, timed, and the pool they lease from.
  const alice = await connect_user(t, d, { auth: { token: d.token("alice") } });
  for (let i = 0; i < 3; ++i) await ok(alice, "probe:query", { sql: "SELECT 1 AS one" });

  // Volatile packets to a polling session that does not poll: the first waits in
  // its queue (outgoing bytes), the next ones are dropped.
  const handshake = await (await fetch(`${d.url}/socket.io/?EIO=4&transport=polling`)).text();
  const sid = JSON.parse(handshake.slice(1)).sid;
  const session = `${d.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
  assert.equal(await (await fetch(session, { method: "POST", body: "40/open," })).text(), "ok");
  assert.match(await (await fetch(session)).text(), /^40\/open,\{.*"sid"/);
  for (let i = 0; i < 3; ++i) {
    const answer = await fetch(`${d.url}/api/emit`, {
      method: "POST",
      headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ nsp: "/open", event: "tick", data: [i], volatile: true }),
    });
    assert.equal(answer.status, 200);
  }
  const during = await wait_for(async () => {
    const m = await metrics(d.url);
    return moved(m, "switchboard_engineio_volatile_dropped_total") >= 2 ? m : null;
  }, "the dropped volatile packets");
  assert.ok(during["switchboard_engineio_outgoing_queue_bytes"] > 0, "the kept packet waits in the queue");

  for (const [code, count] of Object.entries(expected))
    assert.equal(moved(during, `switchboard_socketio_connect_refused_total{code="${code}"}`), count, code);
  assert.ok(moved(during, 'switchboard_db_statement_seconds_count{plugin="store-probe"}') >= 3);
  assert.ok(moved(during, "switchboard_db_pool_wait_seconds_count") >= 3);
  assert.equal(during["switchboard_db_pool_in_use"], 0, "every connection went back");
  assert.ok(during["switchboard_db_pool_connections"] >= 1);
  assert.equal(during['switchboard_plugin_failures_total{plugin="store-probe"}'], 0);

  // Polling drains the queue: the gauge falls back (the heartbeat may add a ping).
  assert.match(await (await fetch(session)).text(), /tick/);
  await wait_for(async () => (await metrics(d.url))["switchboard_engineio_outgoing_queue_bytes"] < during["switchboard_engineio_outgoing_queue_bytes"],
    "the queue to drain");

  if (existsSync(PROMTOOL)) {
    const text = await (await fetch(`${d.url}/metrics`)).text();
    const verdict = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(verdict.status, 0, `promtool check metrics:\n${verdict.stdout}${verdict.stderr}\n--- /metrics ---\n${text}`);
  } else if (process.env.CI) {
    throw new Error(`${PROMTOOL} is missing: tools/install-deps --test installs prometheus`);
  }
});

test("reloads are counted per plugin", async (t) => {
  const d = await start_lua({ scripts: { "empty.lua": "local sb = require('switchboard')\n" }, namespaces: [{ name: "/", anonymous: true }], log_level: "info" });
  t.after(() => d.stop());
  assert.equal((await metrics(d.url))['switchboard_plugin_reloads_total{plugin="lua"}'], 0);
  await d.reload();
  assert.equal((await metrics(d.url))['switchboard_plugin_reloads_total{plugin="lua"}'], 1);
  const { code, stdout } = status("--url", d.url);
  assert.equal(code, 0);
  assert.match(stdout, /^ {2}lua( \S+)?: loaded, 0 failures, 1 reload$/m);
});
