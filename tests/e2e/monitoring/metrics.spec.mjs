// /metrics as Prometheus reads it: promtool (Debian's prometheus package) accepts the
// whole text, and the series move as real socket.io-clients connect, send, upgrade and
// leave.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { Clients, TRANSPORT_MODES, once } from "../support/client.mjs";
import { REPO, SWITCHBOARD_BIN, start_deployment } from "../support/deployment.mjs";
import { metrics, wait_for } from "../hardening/support.mjs";

const PROMTOOL = process.env.SWITCHBOARD_PROMTOOL ?? "/usr/bin/promtool";

async function scrape(url) {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  return response.text();
}

// promtool's verdict on the text: format errors and lint problems (names, types, help).
function promtool_check(text) {
  const result = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test("promtool accepts /metrics, and the series move with traffic", async (t) => {
  if (!existsSync(PROMTOOL)) {
    if (process.env.CI) throw new Error(`${PROMTOOL} is missing: tools/install-deps --test installs prometheus`);
    return t.skip("promtool is not installed");
  }
  // The SDK test app (a plugin): "message" is answered with "message-back".
  const server = await start_deployment({
    namespaces: [{ name: "/", anonymous: true }, { name: "/chat", anonymous: true }],
    plugins: [{ name: "test-app" }],
    extra: { plugin_path: [path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins")] },
  });
  t.after(() => server.stop());
  const before = await metrics(server.url);

  const clients = new Clients(t, server);
  const upgraded = await clients.connect(TRANSPORT_MODES[2]);
  await wait_for(() => upgraded.socket.io.engine.transport.name === "websocket", "the upgrade");
  const chat = await clients.connect(TRANSPORT_MODES[0], { nsp: "/chat" });
  const polling = await clients.connect(TRANSPORT_MODES[1], { nsp: "/chat" });
  for (let i = 0; i < 10; ++i) {
    chat.socket.emit("message", "x".repeat(100));
    await once(chat.socket, "message-back");
  }

  const text = await scrape(server.url);
  const verdict = promtool_check(text);
  assert.equal(verdict.status, 0, `promtool check metrics:\n${verdict.output}\n--- /metrics ---\n${text}`);

  const during = await metrics(server.url);
  const moved = (series) => (during[series] ?? 0) - (before[series] ?? 0);
  assert.ok(moved('switchboard_engineio_sessions_opened_total{transport="polling"}') >= 2);
  assert.ok(moved('switchboard_engineio_sessions_opened_total{transport="websocket"}') >= 1);
  assert.ok(moved("switchboard_engineio_upgrades_total") >= 1);
  assert.ok(moved('switchboard_engineio_packets_total{direction="in"}') >= 10);
  assert.ok(moved('switchboard_engineio_packets_total{direction="out"}') >= 10);
  assert.ok(moved('switchboard_engineio_bytes_total{direction="in"}') >= 10 * 100);
  assert.ok(moved('switchboard_engineio_bytes_total{direction="out"}') >= 10 * 100);
  assert.equal(during['switchboard_engineio_sessions{transport="polling"}'], 1);
  assert.equal(during['switchboard_engineio_sessions{transport="websocket"}'], 2);
  assert.equal(during['switchboard_socketio_sockets{namespace="/chat"}'], 2);
  assert.equal(during['switchboard_socketio_sockets{namespace="/"}'], 1);
  // The test app's "message" handler is inline: calls and run time, no pool wait.
  const series = Object.keys(during).find((k) =>
    /^switchboard_plugin_events_total\{plugin="test-app",namespace="[^"]*",event="message",mode="inline"\}$/.test(k));
  assert.ok(series, "the handler's series is listed");
  const handler = series.slice(series.indexOf("{") + 1, -1);
  assert.ok(moved(`switchboard_plugin_events_total{${handler}}`) >= 10);
  assert.ok(moved(`switchboard_plugin_handler_seconds_count{${handler}}`) >= 10);
  assert.equal(during[`switchboard_plugin_handler_wait_seconds_count{${handler}}`], undefined);
  assert.equal(during[`switchboard_plugin_handler_seconds_bucket{${handler},le="+Inf"}`],
    during[`switchboard_plugin_handler_seconds_count{${handler}}`]);
  // A client's made-up event names never become series.
  chat.socket.emit("made-up-event-name", 1);
  assert.ok(!(await scrape(server.url)).includes("made-up-event-name"));

  // Leaving shows in the gauges and in the closed sessions, by reason.
  polling.socket.disconnect();
  chat.socket.disconnect();
  // The WebSocket session is counted closed when its close frame arrives, a moment
  // after its socket left: the closed count is part of what the wait waits for.
  const closed_since = (m) => m['switchboard_engineio_sessions_closed_total{reason="transport close"}'] -
    (before['switchboard_engineio_sessions_closed_total{reason="transport close"}'] ?? 0);
  await wait_for(async () => {
    const m = await metrics(server.url);
    return m['switchboard_socketio_sockets{namespace="/chat"}'] === 0 &&
      m['switchboard_engineio_sessions{transport="polling"}'] === 0 && closed_since(m) >= 2;
  }, "the gauges to drop and both sessions to be counted closed");
  assert.equal(promtool_check(await scrape(server.url)).status, 0);
});

test("the Grafana dashboard asks only for series /metrics serves", async (t) => {
  const dashboard = JSON.parse(readFileSync(path.join(REPO, "examples/monitoring/grafana-dashboard.json"), "utf8"));
  const server = await start_deployment({ namespaces: [{ name: "/", anonymous: true }] });
  t.after(() => server.stop());
  const text = await scrape(server.url);
  const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  const asked = new Set();
  for (const panel of dashboard.panels)
    for (const target of panel.targets) for (const [name] of target.expr.matchAll(/switchboard_[a-z_]+/g)) asked.add(name);
  assert.ok(asked.size >= 10);
  for (const name of asked) {
    if (name.startsWith("switchboard_cluster_")) continue;   // served with cluster.adapter: redis only
    const family = name.replace(/_(bucket|sum|count)$/, "");
    assert.ok(families.has(family) || families.has(name), `the dashboard asks for ${name}, which /metrics does not serve`);
  }
});
