// Issue #10, items 7 and 9: slow plugin handlers. Events waiting for the handler pool
// are bounded per socket, and a handler that never returns cannot keep the process
// alive after SIGTERM.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { PROBE_MIGRATIONS, PROBE_PLUGIN_DIR, call } from "../support/store_probe.mjs";
import { refused, start, wait_for } from "./support.mjs";

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

describe("slow pooled handlers", () => {
  it("disconnect the socket that queues events past socketio.max_pooled_events, not the process", async () => {
    const server = await start_with_probe({ socketio: { max_pooled_events: 8 } });
    const sockets = [];
    try {
      const flooder = await connect(server);
      const other = await connect(server);
      sockets.push(flooder, other);
      const gone = once(flooder, "disconnect", { timeout: 10_000 });
      for (let i = 0; i < 50; ++i) flooder.emit("probe:stall", { ms: 200 });
      const [reason] = await gone;
      assert.equal(reason, "transport close");
      await wait_for(() => /disconnecting socket \S+ of 127\.0\.0\.1: 8 events/.test(server.output()), "the log line");
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
