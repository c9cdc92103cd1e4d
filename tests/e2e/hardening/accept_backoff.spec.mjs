// Issue #10, item 2: at the descriptor limit the listener must back off, not spin on
// accept() and flood the log.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { count_lines, connected, cpu_seconds, delay, refused, start, tcp, wait_for } from "./support.mjs";

describe("out of descriptors", () => {
  it("backs off with a rate-limited log line and a metric, then serves again", async () => {
    // 64 descriptors: the attacker's connections exhaust them quickly. One worker, so
    // the CPU measured is one loop's.
    const server = await start({ server: { workers: 1 } }, { shell_prefix: "ulimit -n 64; " });
    const held = [];
    try {
      for (let i = 0; i < 120; ++i) held.push(tcp(server.port));
      await Promise.all(held.map((s) => connected(s).catch(() => {})));
      await wait_for(() => /accept failed/.test(server.output()), "the first accept failure", 10_000);
      // Measured over a second while the backlog still holds connections it cannot take.
      const cpu_before = cpu_seconds(server.pid);
      const lines_before = count_lines(server.output(), /accept failed/);
      const started = Date.now();
      await delay(1000);
      const cpu = (cpu_seconds(server.pid) - cpu_before) / ((Date.now() - started) / 1000);
      const lines = count_lines(server.output(), /accept failed/) - lines_before;
      assert.ok(cpu < 0.3, `the server used ${(cpu * 100).toFixed(0)}% of a core while out of descriptors`);
      assert.ok(lines <= 1, `${lines} "accept failed" lines in a second`);
      // Descriptors come back: the server accepts again (and reports what it refused).
      for (const s of held) s.destroy();
      await wait_for(async () => {
        try {
          return (await refused(server.url, "accept_backoff")) >= 1;
        } catch {
          return false;
        }
      }, "the server to accept again", 15_000, 100);
    } finally {
      for (const s of held) s.destroy();
      await server.stop();
    }
  });
});
