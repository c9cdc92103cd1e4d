// Issue #10, items 1 and 9: binary packets that make the server allocate far more than
// the attacker sends. Before any namespace or token: the decoder runs first.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { raw_websocket, refused, rss, start, text_frames, wait_for, ws_frame } from "./support.mjs";

const TEXT = 0x1;
const BINARY = 0x2;
const MiB = 1 << 20;

// 451-["e",{"_placeholder":true,"num":0} x count]: one attachment named `count` times.
function amplifying_packet(nsp, count) {
  const placeholders = new Array(count).fill('{"_placeholder":true,"num":0}').join(",");
  return `451-${nsp === "/" ? "" : nsp + ","}["e",${placeholders}]`;
}

async function joined_raw_socket(server) {
  const socket = await raw_websocket(server.port);
  socket.write(ws_frame(TEXT, "40"));
  await wait_for(() => text_frames(socket.received).some((f) => f.startsWith("40")), "the CONNECT reply");
  return socket;
}

describe("binary placeholder amplification", () => {
  it("refuses a packet naming one 1 MB attachment 300 times, without allocating it, and closes that connection only", async () => {
    const server = await start({ engineio: { max_payload: "2MB", max_buffered_bytes: "2MB" } });
    const bystander = io(server.url, { transports: ["websocket"], reconnection: false });
    try {
      await once(bystander, "connect");
      const attacker = await joined_raw_socket(server);
      const before = rss(server.pid);
      attacker.write(ws_frame(TEXT, amplifying_packet("/", 300)));
      attacker.write(ws_frame(BINARY, Buffer.alloc(MiB, 7)));
      await attacker.ended;
      const grown = rss(server.pid) - before;
      assert.ok(grown < 64 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB for a 1 MB attachment`);
      assert.equal(await refused(server.url, "decoded_size"), 1);
      assert.match(server.output(), /closing session from 127\.0\.0\.1: decoded_too_large request_id=\S+/);
      // Everyone else is served as before.
      const echoed = await bystander.timeout(5000).emitWithAck("message-with-ack", "still here");
      assert.equal(echoed, "still here");
    } finally {
      bystander.close();
      await server.stop();
    }
  });

  it("accepts the same attachment named twice (within the decode budget)", async () => {
    const server = await start();
    try {
      const socket = await joined_raw_socket(server);
      // The test app acks "message-with-ack" with its arguments: 2 placeholders of 10 bytes.
      socket.write(ws_frame(TEXT, '451-0["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]'));
      socket.write(ws_frame(BINARY, Buffer.alloc(10, 1)));
      await wait_for(() => text_frames(socket.received).some((f) => f.startsWith("462-0[")), "the binary ack");
      socket.destroy();
      assert.equal(await refused(server.url, "decoded_size"), 0);
    } finally {
      await server.stop();
    }
  });

  it("closes a connection announcing attachments before it joined any namespace, before they arrive", async () => {
    const server = await start();
    try {
      const attacker = await raw_websocket(server.port);
      attacker.write(ws_frame(TEXT, `4563-${JSON.stringify(["e", { _placeholder: true, num: 0 }])}`));
      await attacker.ended;
      assert.equal(await refused(server.url, "pending_attachments"), 1);
    } finally {
      await server.stop();
    }
  });

  it("closes a connection whose pending attachments pass socketio.max_attachment_bytes", async () => {
    const server = await start({
      engineio: { max_payload: "2MB", max_buffered_bytes: "2MB" },
      socketio: { max_attachment_bytes: "3MiB" },
    });
    try {
      const attacker = await joined_raw_socket(server);
      const placeholders = Array.from({ length: 63 }, (_, num) => ({ _placeholder: true, num }));
      attacker.write(ws_frame(TEXT, `4563-${JSON.stringify(["e", ...placeholders])}`));
      const chunk = Buffer.alloc(MiB, 3);
      for (let i = 0; i < 5 && !attacker.destroyed; ++i) attacker.write(ws_frame(BINARY, chunk));
      await attacker.ended;
      assert.equal(await refused(server.url, "pending_attachments"), 1);
      assert.match(server.output(), /attachments_too_large/);
    } finally {
      await server.stop();
    }
  });
});
