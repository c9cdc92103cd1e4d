// Issue #10, item 8: engineio.upgrade_timeout was documented but unused; a probe that
// never sends "2probe" stayed open, and every GET meanwhile answered a noop at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { raw_websocket, refused, start } from "./support.mjs";

describe("an upgrade that never completes", () => {
  it("is abandoned at upgrade_timeout while polling goes on, and polls are not answered in a busy loop", async () => {
    const server = await start({ engineio: { upgrade_timeout: "500ms", ping_interval: "300ms", ping_timeout: "5s" } });
    try {
      const handshake = await (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).text();
      const sid = JSON.parse(handshake.slice(1)).sid;
      const poll = (t) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}&t=${t}`).then((r) => r.text());
      const probe = await raw_websocket(server.port, `EIO=4&transport=websocket&sid=${sid}`);
      // No "2probe": the client has not paused polling, so a GET waits for real packets
      // (here the next ping) instead of a noop answered at once.
      assert.equal(await poll(1), "2");
      const started = Date.now();
      await probe.ended;
      assert.ok(Date.now() - started < 5000, "the probe is closed at the upgrade timeout");
      assert.equal(await refused(server.url, "upgrade_timeout"), 1);
      // The session itself goes on over polling.
      const body = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
        method: "POST",
        body: "3",
      });
      assert.equal(body.status, 200);
      assert.equal(await poll(2), "2");
    } finally {
      await server.stop();
    }
  });
});
