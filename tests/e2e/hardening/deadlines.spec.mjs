// Issue #10, items 3 and 5: connections that hold the server's descriptors and memory
// by sending slowly, not at all, or never reading.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { connected, delay, metrics, raw_websocket, refused, start, tcp, text_frames, wait_for, ws_frame } from "./support.mjs";

const TEXT = 0x1;

describe("deadlines", () => {
  it("closes a slowloris connection (a header byte at a time) at the header deadline", async () => {
    const server = await start({ server: { header_timeout: "500ms" } });
    try {
      const attacker = tcp(server.port);
      await connected(attacker);
      attacker.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n");
      let dripping = true;
      const drip = (async () => {
        // Well within any per-byte timeout: only a deadline on the whole request stops it.
        while (dripping && !attacker.destroyed) {
          attacker.write("X");
          await delay(50);
        }
      })();
      const started = Date.now();
      await attacker.ended;
      dripping = false;
      await drip;
      const took = Date.now() - started;
      assert.ok(took < 5000, `closed after ${took} ms`);
      assert.equal(await refused(server.url, "header_deadline"), 1);
    } finally {
      await server.stop();
    }
  });

  it("closes connections that never send a byte", async () => {
    const server = await start({ server: { header_timeout: "500ms" } });
    try {
      const silent = Array.from({ length: 20 }, () => tcp(server.port));
      await Promise.all(silent.map(connected));
      await Promise.all(silent.map((s) => s.ended));
    } finally {
      await server.stop();
    }
  });

  it("closes a session that never sends the Socket.IO CONNECT", async () => {
    const server = await start({ socketio: { connect_timeout: "500ms" } });
    try {
      const idle = await raw_websocket(server.port);
      await idle.ended;
      assert.equal(await refused(server.url, "connect_deadline"), 1);
    } finally {
      await server.stop();
    }
  });

  it("cuts a dropped slow reader whose peer keeps its window shut, and gives its memory back", async () => {
    const server = await start({
      server: { close_timeout: "500ms" },
      engineio: { max_payload: "300KiB", max_buffered_bytes: "300KiB" },
    });
    const sender = io(server.url, { transports: ["websocket"], reconnection: false });
    try {
      await once(sender, "connect");
      // The slow reader joins a room, then stops reading for good.
      const slow = await raw_websocket(server.port);
      slow.write(ws_frame(TEXT, "40"));
      await wait_for(() => text_frames(slow.received).some((f) => f.startsWith("40")), "the CONNECT reply");
      slow.write(ws_frame(TEXT, '420["join","flood"]'));
      await wait_for(() => text_frames(slow.received).some((f) => f.startsWith("430")), "the join ack");
      slow.pause();
      const big = "x".repeat(200_000);
      // Flood until the server drops it; each emit is acked, so the sender never races ahead.
      await wait_for(async () => {
        await sender.timeout(5000).emitWithAck("emit", { to: "flood", event: "big", args: [big] });
        return /dropped: its client reads too slowly/.test(server.output());
      }, "the slow reader to be dropped", 30_000, 0);
      // Dropped, and then actually closed at the write deadline although it never reads.
      await wait_for(async () => (await refused(server.url, "write_deadline")) >= 1, "the write deadline", 10_000);
      await wait_for(async () => (await metrics(server.url)).switchboard_sessions === 1, "the session to go");
      assert.equal(await refused(server.url, "outgoing_queue"), 1);
      slow.destroy();
    } finally {
      sender.close();
      await server.stop();
    }
  });

  it("cuts a polling response whose reader keeps its window shut at the write deadline", async () => {
    const server = await start({
      server: { close_timeout: "500ms" },
      engineio: { max_payload: "1MB", max_buffered_bytes: "32MB", ping_interval: "20s", ping_timeout: "20s" },
    });
    const sender = io(server.url, { transports: ["websocket"], reconnection: false });
    try {
      await once(sender, "connect");
      const handshake = await (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).text();
      const sid = JSON.parse(handshake.slice(1)).sid;
      const target = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
      const post = (body) => fetch(`${server.url}${target}`, { method: "POST", body });
      await post("40");
      await post('42["join","flood"]');
      // 24 MB wait for the next GET: more than every socket buffer on the way holds.
      const big = "x".repeat(800_000);
      for (let i = 0; i < 30; ++i) await sender.timeout(5000).emitWithAck("emit", { to: "flood", event: "big", args: [big] });
      const reader = tcp(server.port);
      await connected(reader);
      reader.pause();
      reader.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await wait_for(async () => (await refused(server.url, "write_deadline")) >= 1, "the write deadline", 10_000);
      assert.match(server.output(), /closing an HTTP connection whose peer did not read its \d+-byte response/);
      reader.destroy();
    } finally {
      sender.close();
      await server.stop();
    }
  });
});
