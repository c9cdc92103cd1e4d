// Issue #10, items 7 and 9: slow plugin handlers. Events waiting for the handler pool
// are bounded per socket: at the bound the server stops reading from the client until
// its handlers catch up (backpressure), and past a hard bound the socket is refused. A
// handler that never returns cannot keep the process alive after SIGTERM.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { PROBE_MIGRATIONS, PROBE_PLUGIN_DIR, call } from "../support/store_probe.mjs";
import { metrics, refused, rss, start, wait_for } from "./support.mjs";

// The real binary with the store-probe plugin (its pooled "probe:stall" sleeps).
function start_with_probe(config = {}) {
  return start(
    (dir) => ({
      ...config,
      plugin_path: [PROBE_PLUGIN_DIR],
      plugins: [{ name: "store-probe", required: true }],
      database: { url: `sqlite:${path.join(dir, "probe.db")}`, migrations_dir: PROBE_MIGRATIONS },
    }),
    { binary: SWITCHBOARD_BIN },
  );
}

async function connect(server) {
  const socket = io(server.url, { transports: ["websocket"], reconnection: false, forceNew: true });
  await once(socket, "connect");
  return socket;
}

// Sends `count` probe:stall events at once and resolves with the order their acks came
// back in (the index each ack answered).
function burst(socket, count, { ms, pad = "" }) {
  const label = socket.io.opts.transports.join("+");
  return new Promise((resolve, reject) => {
    const order = [];
    socket.on("disconnect", (reason, details) =>
      reject(new Error(`${label}: disconnected (${reason}: ${details?.description ?? ""}) after ${order.length} acks`)));
    for (let i = 0; i < count; ++i) {
      socket.emit("probe:stall", { ms, pad }, (answer) => {
        assert.equal(answer, "done");
        order.push(i);
        if (order.length === count) resolve(order);
      });
    }
  });
}

describe("slow pooled handlers", () => {
  it("a client bursting events at a slow handler is slowed, not disconnected, and gets every ack in order", async (t) => {
    // Reading pauses at 16 waiting events and resumes at 8: 2,000 events of 4 KiB
    // (8 MB) pass through a queue that never holds more than about 16 of them.
    const server = await start_with_probe({ socketio: { max_pooled_events: 16 } });
    const sockets = [];
    try {
      const bursting = await connect(server);
      const other = await connect(server);
      const polling = io(server.url, { transports: ["polling"], reconnection: false, forceNew: true });
      sockets.push(bursting, other, polling);
      await once(polling, "connect");
      const rss_before = rss(server.pid);

      const count = 2000;
      const acks = burst(bursting, count, { ms: 2, pad: "x".repeat(4096) });
      const polled = burst(polling, 300, { ms: 1, pad: "y".repeat(512) });
      let answered = 0;
      acks.then(() => { answered = count; }, () => {});
      // The others are served while the burst waits: an echo comes back before the
      // last of the burst's 2,000 handlers (each at least 2 ms) has run.
      await wait_for(async () => (await metrics(server.url))["switchboard_read_pauses_total"] > 0, "a read pause");
      assert.equal(await call(other, "probe:ping"), "pong");
      assert.equal(answered, 0, "the echo came back while the burst was still being handled");

      assert.deepEqual(await acks, Array.from({ length: count }, (_, i) => i));
      assert.deepEqual(await polled, Array.from({ length: 300 }, (_, i) => i));
      assert.ok(bursting.connected && polling.connected && other.connected);
      assert.equal(await refused(server.url, "pooled_events"), 0);
      // Without the pause the server would have read the whole 8 MB burst into its
      // queue (and far more for a larger one).
      const grown = rss(server.pid) - rss_before;
      t.diagnostic(`read pauses ${(await metrics(server.url))["switchboard_read_pauses_total"]}, RSS grew ${grown} bytes`);
      assert.ok(grown < 6 * 1024 * 1024, `the server grew by ${grown} bytes`);
    } finally {
      sockets.forEach((s) => s.close());
      await server.stop();
    }
  });

  it("disconnect the socket whose event is past the hard bound (4 x max_pooled_bytes), not the process", async () => {
    const server = await start_with_probe({ socketio: { max_pooled_bytes: "4KiB" } });
    const sockets = [];
    try {
      const flooder = await connect(server);
      const other = await connect(server);
      sockets.push(flooder, other);
      const gone = once(flooder, "disconnect", { timeout: 10_000 });
      // Within the hard bound: held and answered.
      assert.equal(await call(flooder, "probe:stall", { ms: 1, pad: "x".repeat(12 * 1024) }), "done");
      flooder.emit("probe:stall", { ms: 1, pad: "x".repeat(20 * 1024) });
      const [reason] = await gone;
      assert.equal(reason, "transport close");
      await wait_for(() => /disconnecting socket \S+ of 127\.0\.0\.1: 0 events \(\d+ bytes\) would wait for its handlers, hard bound 1024 events \/ 16384 bytes/.test(server.output()), "the log line");
      assert.equal(await refused(server.url, "pooled_events"), 1);
      assert.equal(await call(other, "probe:ping"), "pong");
    } finally {
      sockets.forEach((s) => s.close());
      await server.stop();
    }
  });

  it("the server exits after shutdown_timeout even with a handler stuck, naming it", async () => {
    const server = await start_with_probe({ server: { shutdown_timeout: "1s" } });
    const socket = await connect(server);
    try {
      socket.emit("probe:stall", { ms: 600_000 });
      // Answered after the stall was posted to the pool (same connection, in order).
      assert.equal(await call(socket, "probe:ping"), "pong");
      const started = Date.now();
      const exit = await server.stop();
      const took = Date.now() - started;
      assert.ok(took < 1000 + 1000 + 1500, `exited ${took} ms after SIGTERM`);
      assert.deepEqual(exit, { code: 1, signal: null }, "exited by itself, not killed");
      assert.match(server.output(), /still running: plugin store-probe: event "probe:stall" of socket/);
    } finally {
      socket.close();
      await server.stop();
    }
  });
});
