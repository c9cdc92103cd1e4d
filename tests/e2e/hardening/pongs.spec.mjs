// Issue #10, item 4: WebSocket pings from a client that never reads queued one pong
// each, outside the outgoing queue's bound.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { metrics, raw_websocket, rss, start, wait_for, ws_frame } from "./support.mjs";

const PING = 0x9;
const TEXT = 0x1;
const MiB = 1 << 20;

describe("a client that pings and never reads", () => {
  it("holds at most one pong, however many pings it sends", async () => {
    const server = await start();
    const bystander = io(server.url, { transports: ["websocket"], reconnection: false });
    try {
      await once(bystander, "connect");
      const attacker = await raw_websocket(server.port);
      attacker.pause();
      const before = rss(server.pid);
      // 200,000 pings of 125 bytes (26 MB): their pongs would overflow every socket
      // buffer on the way and queue in the server, one frame each.
      const batch = Buffer.concat(Array.from({ length: 2_000 }, () => ws_frame(PING, Buffer.alloc(125, 0x61))));
      for (let i = 0; i < 100; ++i) {
        if (!attacker.write(batch)) await new Promise((resolve) => attacker.once("drain", resolve));
      }
      // A CONNECT after the pings: once the server counts the socket, it has handled them all.
      attacker.write(ws_frame(TEXT, "40"));
      await wait_for(async () => (await metrics(server.url)).switchboard_sockets === 2, "the pings to be handled", 30_000);
      const grown = rss(server.pid) - before;
      assert.ok(grown < 16 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
      const echoed = await bystander.timeout(10_000).emitWithAck("message-with-ack", "still here");
      assert.equal(echoed, "still here");
      attacker.destroy();
      await wait_for(async () => (await metrics(server.url)).switchboard_sessions === 1, "the attacker's session to go");
    } finally {
      bystander.close();
      await server.stop();
    }
  });
});
