// Recovery soak (#18): one Switchboard node with socketio.recovery on, clients that
// drop their transport at random and reconnect, and a publisher emitting numbered
// room and user streams through the server API. At the end every event sent must have
// been received by every addressee once, in order, and every reconnection must have
// been a recovery. See README.md.
import { API_KEY, start_soak_server } from "./lib/server.mjs";
import { merge_counts } from "./lib/latency.mjs";
import { start_publisher } from "./lib/publisher.mjs";
import { user_stream } from "./lib/recovery_clients.mjs";
import { shard, start_workers } from "./lib/workers.mjs";
import { finish, log, metrics, options, sample_server, server_log_digest } from "./lib/run.mjs";
import { http_call } from "../e2e/support/http.mjs";

const o = options({ minutes: 10, clients: 1000, workers: 2, rooms: 50, rate: 100, drop_every: 60, warmup: 120 });
log(`recovery soak: ${JSON.stringify(o)}`);

const server = await start_soak_server(o.out, {
  socketio: { recovery: { enabled: true, max_disconnection_duration: "2m", log_size: 100000 } },
});
let status = {};
const sampler = sample_server(server, o.out, () => status);
const summary = { soak: "recovery", options: o, started: new Date().toISOString() };
const api = (path, body) => http_call(server.url, "POST", path, { body, headers: { "x-api-key": API_KEY } });

// One user per client; one room in `rooms` each; transports mixed: a tenth polling
// only, a tenth upgrading from polling, the rest WebSocket only.
const room_of = (i) => `soak:r${i % o.rooms}`;
const transports_of = (i) => (i % 10 === 0 ? ["polling"] : i % 10 === 1 ? ["polling", "websocket"] : ["websocket"]);
const clients = Array.from({ length: o.clients }, (_, i) => ({
  user: `s${i}`,
  token: server.token(`s${i}`),
  room: room_of(i),
  transports: transports_of(i),
}));
const workers = await start_workers(
  "recovery",
  shard(clients, o.workers).map((part) => ({ url: server.url, drop_mean_s: o.drop_every, clients: part })),
);
log(`${o.clients} clients connected`);
for (let r = 0; r < o.rooms; r++) {
  const users = clients.filter((_, i) => i % o.rooms === r).map((c) => c.user);
  const answer = await api("/api/sockets/join", { users, join: [`soak:r${r}`] });
  if (answer.status !== 200) throw new Error(`join soak:r${r}: ${answer.status} ${answer.text}`);
}

const publisher = start_publisher({
  url: server.url,
  api_key: API_KEY,
  kinds: [
    Array.from({ length: o.rooms }, (_, r) => ({ name: `soak:r${r}`, target: { rooms: [`soak:r${r}`] } })),
    clients.map((c) => ({ name: user_stream(c.user), target: { users: [c.user] } })),
  ],
  rate_per_s: o.rate,
});
const progress = setInterval(async () => {
  const parts = await workers.ask("status").catch(() => []);
  status = {
    emits: publisher.stats.emits,
    recovered: parts.reduce((a, p) => a + p.recovered, 0),
    not_recovered: parts.reduce((a, p) => a + p.not_recovered, 0),
    connected: parts.reduce((a, p) => a + p.connected, 0),
  };
}, 5_000);

await new Promise((resolve) => setTimeout(resolve, o.minutes * 60_000));
clearInterval(progress);
log("stopping the drops, then the publisher");
await workers.ask("quiesce");
const published = await publisher.stop();
log(`published ${published.emits} emits (${published.rate_per_s.toFixed(1)}/s); accounting`);
const parts = await workers.ask("account", { sent: published.sent, timeout_ms: 60_000 });
const sum = (key) => parts.reduce((a, p) => a + p[key], 0);
const totals = parts.map((p) => p.totals);
const add = (key) => totals.reduce((a, t) => a + t[key], 0);
const merge = (key) => merge_counts(totals.map((t) => t[key]));
summary.accounting = {
  emits: published.emits,
  api_failed_attempts: published.failed_attempts,
  deliveries_expected: sum("expected"),
  deliveries_received: sum("received"),
  lost: sum("lost"),
  duplicates: sum("duplicates"),
  out_of_order: sum("out_of_order"),
  examples: parts.flatMap((p) => p.incomplete_clients).slice(0, 10),
};
summary.clients = {
  drops: merge("drops"),
  reconnections: add("reconnections"),
  recovered: add("recovered"),
  not_recovered: add("not_recovered"),
  connect_errors: add("connect_errors"),
  unexpected_disconnects: merge("unexpected_disconnects"),
  events_without_offset: add("events_without_offset"),
  events_of_other_streams: add("events_of_other_streams"),
};
summary.server_metrics = await metrics(server, /^switchboard_recovery_/);
workers.ask("close").catch(() => {});
sampler.stop();
summary.server_exit = server.exit();   // null: still running, i.e. no crash
await server.stop();
summary.server_log = server_log_digest(server);
workers.stop();
summary.verdict = {
  every_event_once_in_order:
    summary.accounting.lost === 0 && summary.accounting.duplicates === 0 && summary.accounting.out_of_order === 0 &&
    summary.accounting.deliveries_received === summary.accounting.deliveries_expected,
  every_reconnection_recovered: summary.clients.not_recovered === 0 && summary.clients.reconnections > 0,
  no_crash: summary.server_exit === null,
};
finish(o.out, summary, sampler, o.warmup);
const ok = Object.values(summary.verdict).every(Boolean);
log(`verdict: ${JSON.stringify(summary.verdict)} → ${ok ? "PASS" : "FAIL"}`);
process.exit(ok ? 0 : 1);
