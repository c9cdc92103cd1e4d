// Hardening soak (#10): one Switchboard node with the chat plugin; well-behaved
// clients join chat rooms, chat (timing every ack) and reconnect at random, while a
// probe process misbehaves at random with the attacks. The server must not
// crash, its RSS must stay flat after warm-up, and no well-behaved request may fail.
// See README.md.
import { io } from "./lib/modules.mjs";
import { merge_counts, merge_logs } from "./lib/latency.mjs";
import { finish, log, metrics, options, sample_server, server_log_digest } from "./lib/run.mjs";
import { start_soak_server } from "./lib/server.mjs";
import { shard, start_workers } from "./lib/workers.mjs";

const o = options({
  minutes: 30,
  clients: 2000,
  workers: 2,
  rooms: 100,
  send_every: 20,
  reconnect_every: 180,
  ack_timeout: 10_000,
  probe_rate: 5,
  warmup: 180,
});
log(`hardening soak: ${JSON.stringify(o)}`);

const server = await start_soak_server(o.out, {
  plugins: [{ name: "chat", config: { rate_limit_messages: 10, rate_limit_window: 10 } }],
  // Info: a stall must leave its trace (pool, database and plugin lines are info).
  log: { level: "info" },
});
let status = {};
const sampler = sample_server(server, o.out, () => status);
const summary = { soak: "hardening", options: o, started: new Date().toISOString() };

// The chat's public rooms, created by an owner who then leaves.
async function create_rooms(count) {
  const owner = io(server.url, { forceNew: true, transports: ["websocket"], auth: { token: server.token("soak-owner") } });
  const ids = [];
  for (let r = 0; r < count; r++) {
    const created = await new Promise((resolve, reject) =>
      owner.timeout(30_000).emit("chat:create", { name: `soak ${r}` }, (timeout, error, result) =>
        timeout || error ? reject(new Error(`chat:create: ${JSON.stringify(timeout?.message ?? error)}`)) : resolve(result),
      ),
    );
    ids.push(created.room.id);
  }
  owner.disconnect();
  return ids;
}
const rooms = await create_rooms(o.rooms);
if (!rooms.every(Number.isInteger)) throw new Error(`chat:create answered ${JSON.stringify(rooms.slice(0, 3))}`);

const clients = Array.from({ length: o.clients }, (_, i) => ({
  user: `c${i}`,
  token: server.token(`c${i}`),
  room: rooms[i % rooms.length],
  transports: i % 10 === 0 ? ["polling"] : i % 10 === 1 ? ["polling", "websocket"] : ["websocket"],
}));
const chatters = await start_workers(
  "chat",
  shard(clients, o.workers).map((part) => ({
    url: server.url,
    send_mean_s: o.send_every,
    reconnect_mean_s: o.reconnect_every,
    ack_timeout_ms: o.ack_timeout,
    clients: part,
  })),
);
log(`${o.clients} chat clients connected`);
const now = Math.floor(Date.now() / 1000);
const probes = await start_workers("probes", [
  {
    url: server.url,
    token: server.token("soak-non-reader"),
    room: rooms[0],
    rate_per_s: o.probe_rate,
    bad_tokens: [
      "not-a-jwt",
      server.token("soak-forged").replace(/.$/, (c) => (c === "A" ? "B" : "A")),
      server.token("soak-expired", { iat: now - 7200, exp: now - 3600 }),
    ],
  },
]);

const INSIDE =
  /^switchboard_(plugin_handler_(wait_)?seconds_(count|sum)|plugin_failures_total|plugin_chat_\w+|db_pool_(in_use|timeouts_total|wait_seconds_(count|sum))|db_statement_seconds_(count|sum)|read_pauses_total|sockets)\b/;
const progress = setInterval(async () => {
  const parts = await chatters.ask("status").catch(() => []);
  const [probing] = await probes.ask("status").catch(() => [{}]);
  status = {
    connected: parts.reduce((a, p) => a + p.connected, 0),
    acks: parts.reduce((a, p) => a + p.acks, 0),
    failures: merge_counts(parts.map((p) => p.failures)),
    probes_running: Object.values(probing.running ?? {}).reduce((a, b) => a + b, 0),
    // Where a request waits if acks stop: the handler pool, the database pool, the
    // statements, the chat plugin's own counters.
    server: await metrics(server, INSIDE).catch((error) => ({ error: error.message })),
  };
}, 5_000);

await new Promise((resolve) => setTimeout(resolve, o.minutes * 60_000));
clearInterval(progress);
log("stopping the probes and the chat; reporting");
const [probe_report] = await probes.ask("report");
const reports = await chatters.ask("report");
const acks = merge_logs(reports.map((r) => r.acks));
summary.setup_failures = merge_counts(reports.map((r) => r.setup_failures));
summary.well_behaved = {
  ack_latency: acks.latency,
  failures: acks.failures,
  minutes_with_failures: acks.minutes.filter((m) => m.failed > 0).length,
  worst_minute_max_ms: Math.max(...acks.minutes.map((m) => m.max_ms)),
  per_minute: acks.minutes,
  client_event_loop_delay_max_ms_per_minute: reports.map((r) => r.loop_delay_max_ms),
  messages_received: reports.reduce((a, r) => a + r.totals.messages_received, 0),
  reconnections: merge_counts(reports.map((r) => r.totals.reconnections)),
};
summary.probes = probe_report.outcomes;
summary.server_metrics = await metrics(server, /^switchboard_(refused_total|read_pauses_total|accept_backoff)/);
sampler.stop();
summary.server_exit = server.exit();
await server.stop();
summary.server_log = server_log_digest(server);
chatters.stop();
probes.stop();
const unexpected = Object.values(summary.probes).flatMap((by) => Object.entries(by)).filter(([o]) => !o.startsWith("held"));
summary.verdict = {
  no_crash: summary.server_exit === null,
  every_well_behaved_request_served: Object.keys(acks.failures).length === 0 && acks.latency.count > 0,
  every_probe_held: unexpected.length === 0,
};
finish(o.out, summary, sampler, o.warmup);
const ok = Object.values(summary.verdict).every(Boolean);
log(`verdict: ${JSON.stringify(summary.verdict)} → ${ok ? "PASS" : "FAIL"}`);
process.exit(ok ? 0 : 1);
