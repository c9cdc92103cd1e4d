// Kernel lifecycle behaviors that no protocol test reaches: graceful shutdown, and
// one slow reader dropped without holding up anyone else. Runs the test server
// (the kernel test app) from build/switchboard_test_server.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { io } from "socket.io-client";
import WebSocket from "ws";

import { once, until, with_timeout } from "../support/client.mjs";
import { REPO } from "../support/deployment.mjs";
import { free_port, start_server } from "../support/server.mjs";

const TEST_SERVER = process.env.SWITCHBOARD_TEST_SERVER_BIN ?? path.join(REPO, "build", "switchboard_test_server");

async function start(config, options = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "switchboard-kernel-"));
  const file = path.join(dir, "switchboard.yaml");
  writeFileSync(file, JSON.stringify(config));
  const server = await start_server({ command: `exec ${TEST_SERVER} serve --config ${file}`, ...options });
  return { ...server, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Runs `serve` on `file` and `port` to its end: {status, output}.
function serve_once(file, port) {
  const result = spawnSync(TEST_SERVER, ["serve", "--config", file, "--port", String(port)], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: result.status, signal: result.signal, output: `${result.stdout}${result.stderr}` };
}

const base = {
  server: { host: "127.0.0.1", shutdown_timeout: "3s", workers: 2 },
  socketio: { namespaces: [{ name: "/", anonymous: true }] },
  log: { level: "info" },
};

describe("graceful shutdown", () => {
  it("tells every client, which then reconnects, and exits once every session is closed", async () => {
    // The kill timer is far past the shutdown timeout: the server's own exit decides.
    const server = await start(base, { stop_grace_ms: 20_000 });
    const clients = [
      io(server.url, { transports: ["websocket"], reconnectionDelay: 50 }),
      io(server.url, { transports: ["polling"], reconnectionDelay: 50 }),
    ];
    try {
      await Promise.all(clients.map((c) => once(c, "connect")));
      const reasons = clients.map((c) => once(c, "disconnect", { timeout: 5000 }));
      const started = Date.now();
      const exit = await server.stop();
      const took = Date.now() - started;
      assert.equal(exit.code, 0, `the server exits cleanly on SIGTERM:\n${server.output()}`);
      // Both clients got their close, and their reconnections opened no session the
      // shutdown would wait for.
      assert.doesNotMatch(server.output(), /still open at the shutdown deadline/);
      assert.ok(took < 3000, `closed before the shutdown timeout (took ${took} ms)`);
      for (const [reason] of await Promise.all(reasons)) {
        // Not "io server disconnect": the clients must reconnect (to another node).
        assert.equal(reason, "transport close");
      }
      assert.ok(clients.every((c) => c.active), "clients keep trying to reconnect");
      assert.match(server.output(), /shutting down/);
    } finally {
      clients.forEach((c) => c.close());
      server.cleanup();
    }
  });

  it("still hands a polling client between two requests its close packet", async () => {
    // Node's client opens a connection per polling request: told to go while no GET was
    // pending, it can only learn so if the server still accepts connections.
    const server = await start(base, { stop_grace_ms: 20_000 });
    try {
      const open = await http_get(`${server.url}/socket.io/?EIO=4&transport=polling`);
      const { sid } = JSON.parse(open.body.slice(1));
      const exited = server.kill("SIGTERM");
      await until(() => server.output().includes("shutting down"), "the shutdown starts", 10_000);

      const refused = await http_get(`${server.url}/socket.io/?EIO=4&transport=polling`);
      assert.equal(refused.status, 503, "no new session while draining");
      const close = await http_get(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
      assert.equal(close.status, 200);
      assert.equal(close.body.split("\x1e").at(-1), "1", "the close packet ends the answer");

      const exit = await exited;
      assert.equal(exit.code, 0, server.output());
      assert.doesNotMatch(server.output(), /still open at the shutdown deadline/);
    } finally {
      server.cleanup();
    }
  });
});

// One request on its own connection, as Node's polling client makes them.
function http_get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode, body }));
      })
      .on("error", reject);
  });
}

describe("a port already in use", () => {
  it("stops a second server from starting beside the first", async () => {
    const server = await start(base);
    try {
      const second = serve_once(server.file, server.port);
      assert.notEqual(second.status, 0, `the second server must not start:\n${second.output}`);
      assert.match(second.output, new RegExp(`port ${server.port} is in use`));
      // The first one still serves every client.
      const client = io(server.url, { transports: ["polling"] });
      try {
        await once(client, "connect");
      } finally {
        client.close();
      }
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it("lets exactly one of several servers started at the same moment listen", async () => {
    // The probe alone is not enough here: every server can pass it before any binds,
    // and then all of them listen with SO_REUSEPORT and split the clients.
    const dir = mkdtempSync(path.join(tmpdir(), "switchboard-kernel-"));
    const file = path.join(dir, "switchboard.yaml");
    writeFileSync(file, JSON.stringify(base));
    const port = await free_port();
    const servers = Array.from({ length: 4 }, () => {
      const child = spawn(TEST_SERVER, ["serve", "--config", file, "--port", String(port)]);
      let output = "";
      const outcome = new Promise((resolve) => {
        const read = (chunk) => {
          output += chunk;
          if (output.includes("listening on")) resolve({ child, listening: true, output });
        };
        child.stdout.on("data", read);
        child.stderr.on("data", read);
        child.on("exit", (status) => resolve({ child, listening: false, status, output }));
      });
      return outcome;
    });
    try {
      const outcomes = await with_timeout(Promise.all(servers), 20_000, "every server listens or exits");
      const listening = outcomes.filter((o) => o.listening);
      assert.equal(listening.length, 1, outcomes.map((o) => o.output).join("\n----\n"));
      for (const refused of outcomes.filter((o) => !o.listening)) {
        assert.notEqual(refused.status, 0);
        assert.match(refused.output, new RegExp(`port ${port} is in use`));
      }
      const client = io(`http://127.0.0.1:${port}`, { transports: ["polling"] });
      try {
        await once(client, "connect");
      } finally {
        client.close();
      }
    } finally {
      for (const outcome of await Promise.all(servers)) outcome.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is reported when another program listens there", async () => {
    const other = net.createServer();
    await new Promise((resolve) => other.listen(0, "127.0.0.1", resolve));
    const dir = mkdtempSync(path.join(tmpdir(), "switchboard-kernel-"));
    try {
      const file = path.join(dir, "switchboard.yaml");
      writeFileSync(file, JSON.stringify(base));
      const { port } = other.address();
      const result = serve_once(file, port);
      assert.notEqual(result.status, 0, `the server must not start:\n${result.output}`);
      assert.match(result.output, new RegExp(`port ${port} is in use`));
    } finally {
      other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a slow reader", () => {
  it("is dropped with a log line while the other clients keep being served", async () => {
    const server = await start({
      ...base,
      engineio: { max_payload: "300KiB", max_buffered_bytes: "300KiB" },
    });
    // The slow reader: a raw WebSocket client that stops reading after joining.
    const slow = new WebSocket(`${server.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    // Created only once its "connect" is awaited: it must not connect unheard.
    let fast;
    try {
      await new Promise((resolve, reject) => {
        slow.once("error", reject);
        slow.on("message", (data) => {
          const text = data.toString();
          if (text.startsWith("0")) slow.send("40");
          if (text.startsWith("40")) slow.send('42["join","flood"]');
          if (text.startsWith("42[\"auth\"")) resolve();
        });
      });
      fast = io(server.url, { transports: ["websocket"] });
      await once(fast, "connect");
      await with_timeout(fast.emitWithAck("join", "flood"), 5000, "fast joins");
      slow._socket.pause();   // the TCP buffers fill, then the server's queue

      const slow_closed = new Promise((resolve) => slow._socket.once("close", resolve));
      const big = "x".repeat(256 * 1024);
      let received = 0;
      fast.on("tick", () => received++);
      for (let i = 0; i < 80; i++) {
        await with_timeout(
          fast.emitWithAck("emit", { to: "flood", event: "tick", args: [big] }),
          10_000,
          `broadcast ${i}`,
        );
        if (server.output().includes("reads too slowly")) break;
      }
      await until(() => server.output().includes("reads too slowly"), "the drop is logged", 10_000);
      slow._socket.resume();
      await with_timeout(slow_closed, 10_000, "the slow client's connection closes");
      // The fast client got every broadcast and is still served.
      const echoed = await with_timeout(fast.emitWithAck("message-with-ack", "still here"), 5000, "still served");
      assert.equal(echoed, "still here");
      assert.ok(received > 0);
      assert.match(server.output(), /dropped: its client reads too slowly/);
    } finally {
      slow.terminate();
      fast?.close();
      await server.stop();
      server.cleanup();
    }
  });
});
