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
      slow.destroy();
    } finally {
      sender.close();
      await server.stop();
    }
  });
});
