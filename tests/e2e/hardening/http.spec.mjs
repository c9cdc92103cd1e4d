// Issue #10, item 10: the HTTP and room details an attacker can lean on.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { REPO, SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { connected, refused, start, tcp, wait_for } from "./support.mjs";

// Sends raw bytes and resolves with everything the server answers until it closes
// (or `until` matches what arrived).
async function exchange(port, bytes, until = null) {
  const socket = tcp(port);
  await connected(socket);
  socket.write(bytes);
  if (until) await wait_for(() => until.test(socket.received.toString("latin1")), `an answer matching ${until}`);
  else await socket.ended;
  socket.destroy();
  return socket.received.toString("latin1");
}

describe("HTTP", () => {
  it("refuses a transfer coding it does not implement (501), so no body is read as the next request", async () => {
    const server = await start();
    try {
      const smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
      const answer = await exchange(
        server.port,
        `POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n` +
          `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`,
      );
      assert.match(answer, /^HTTP\/1\.1 501 Not Implemented\r\n/);
      assert.doesNotMatch(answer, /"status":"ok"/, "the chunk was not served as a request");
      assert.equal(await refused(server.url, "transfer_encoding"), 1);
    } finally {
      await server.stop();
    }
  });

  it("accepts headers up to 16 KiB and answers 431 past it", async () => {
    const server = await start();
    try {
      const request = (size) => `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(size)}\r\n\r\n`;
      assert.match(await exchange(server.port, request(12 * 1024), /\r\n\r\n/), /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(await exchange(server.port, request(20 * 1024)), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      assert.equal(await refused(server.url, "header_size"), 1);
    } finally {
      await server.stop();
    }
  });

  it("lets server.monitoring_allow restrict /metrics and /healthz", async () => {
    const server = await start({ server: { monitoring_allow: ["10.0.0.0/8", "::1"] } });
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 403);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 403);
    } finally {
      await server.stop();
    }
    const open = await start({ server: { monitoring_allow: ["127.0.0.0/8"] } });
    try {
      assert.equal((await fetch(`${open.url}/healthz`)).status, 200);
    } finally {
      await open.stop();
    }
  });
});

describe("the Authorization header", () => {
  it("is read by one rule everywhere: of two, the first (as the kernel and Node do), also for plugins", async () => {
    const key = "k".repeat(32);
    const server = await start(
      (dir) => ({
        plugins: [{ name: "notifications", required: true, config: { api_key: key } }],
        database: { url: `sqlite:${path.join(dir, "db")}`, migrations_dir: path.join(REPO, "migrations") },
      }),
      { binary: SWITCHBOARD_BIN },
    );
    try {
      // The notifications plugin's HTTP API checks the bearer key; an empty body is a 400
      // once authorized, 401 otherwise.
      const post = (first, second) =>
        exchange(
          server.port,
          `POST /api/notifications HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${first}\r\n` +
            `Authorization: Bearer ${second}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
          /\r\n\r\n/,
        );
      assert.doesNotMatch(await post(key, "wrong"), /^HTTP\/1\.1 401/);
      assert.match(await post("wrong", key), /^HTTP\/1\.1 401 Unauthorized\r\n/);
    } finally {
      await server.stop();
    }
  });
});

describe("rooms", () => {
  it("a socket joining many rooms costs about what joining one room many times costs", async () => {
    const server = await start({ server: { workers: 1 } });
    const client = io(server.url, { transports: ["websocket"], reconnection: false });
    try {
      await once(client, "connect");
      // The acks arrive in order, so the last one marks every join before it handled.
      const join_many = async (room_of, n) => {
        const started = process.hrtime.bigint();
        for (let i = 0; i < n - 1; ++i) client.emit("join", room_of(i));
        await client.timeout(120_000).emitWithAck("join", room_of(n - 1));
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      const n = 100_000;
      // The same wire traffic twice: only the membership work differs. Scanning a list
      // per join makes the distinct rooms cost n^2 / 2 comparisons (seconds); a set, n.
      const same = await join_many(() => "one-room", n);
      const distinct = await join_many((i) => `room-${i}`, n);
      assert.ok(distinct < same * 2.5, `${n} joins: one room ${same.toFixed(0)} ms, distinct rooms ${distinct.toFixed(0)} ms`);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
