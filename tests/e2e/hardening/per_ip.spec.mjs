// Issue #10: per-address limits on concurrent connections and handshakes per second
// (off by default; a metric when they refuse).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { connected, refused, start, tcp, wait_for } from "./support.mjs";

describe("per-address limits", () => {
  it("closes connections past server.max_connections_per_ip at once", async () => {
    const server = await start({ server: { max_connections_per_ip: 5, header_timeout: "60s" } });
    const held = [];
    try {
      for (let i = 0; i < 5; ++i) held.push(tcp(server.port));
      await Promise.all(held.map(connected));
      // The sixth is accepted by the kernel, then closed by the server with nothing said.
      await wait_for(async () => {
        const extra = tcp(server.port);
        await connected(extra);
        const closed = await Promise.race([extra.ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 1000))]);
        extra.destroy();
        return closed && extra.received.length === 0;
      }, "a sixth connection to be refused");
      for (const s of held) s.destroy();
      await Promise.all(held.map((s) => s.ended));
      // Places are given back: a request gets through again.
      await wait_for(async () => (await refused(server.url, "per_ip_connections")) >= 1, "the metric", 10_000);
    } finally {
      for (const s of held) s.destroy();
      await server.stop();
    }
  });

  it("answers 429 to handshakes past server.max_handshakes_per_ip", async () => {
    const server = await start({ server: { max_handshakes_per_ip: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 6; ++i) {
        const response = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
        await response.text();
        statuses.push(response.status);
      }
      assert.ok(statuses.includes(429), `statuses: ${statuses}`);
      assert.equal(statuses[0], 200);
      assert.ok((await refused(server.url, "per_ip_handshakes")) >= 1);
    } finally {
      await server.stop();
    }
  });
});
