// Plugins on a recovered connection (#18), with the real socket.io-client 4.8 and
// connection state recovery on. "Plugins skip re-sending": a socket that recovers its
// session missed nothing — what was notified while it was away is replayed — so the
// notifications plugin does not send notification:unread again (the old behaviour
// showed the unread ones twice); a fresh connection still gets them. A Lua connect
// hook sees the same flag as ctx.handshake.recovered.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";
import { http_call } from "../support/http.mjs";
import { API_KEY, connected, drop, recording_client, switchboard_target } from "../support/recovery.mjs";

const NOTIFICATIONS_KEY = "notifications-recovery-key-0123456789";

const LUA_SCRIPT = `
local sb = require("switchboard")
sb.on_connect(function(ctx)
  ctx.socket:emit("lua:connected", ctx.handshake.recovered)
end, { inline = true })
`;

describe("plugins on a recovered connection", () => {
  let d;
  let target;
  let scripts_dir;
  before(async () => {
    scripts_dir = mkdtempSync(path.join(tmpdir(), "switchboard-recovery-lua-"));
    const script = path.join(scripts_dir, "recovered.lua");
    writeFileSync(script, LUA_SCRIPT);
    d = await start_deployment({
      socketio: { recovery: { enabled: true, max_disconnection_duration: "2m" } },
      plugins: [
        { name: "notifications", config: { api_key: NOTIFICATIONS_KEY } },
        { name: "lua", config: { scripts: [script] } },
      ],
      extra: { api: { keys: [API_KEY], keys_env: [] } },
    });
    target = switchboard_target(d);
  });
  after(async () => {
    await d?.stop();
    if (scripts_dir) rmSync(scripts_dir, { recursive: true, force: true });
  });

  // The client recovers from the offset of the last event it received: one now.
  async function has_offset(client) {
    await target.to_socket(client.socket.id, 0);
    await client.inbox.next("tick");
  }

  async function notify(user, title) {
    const answer = await http_call(d.url, "POST", "/api/notifications", {
      body: { userId: user, type: "comment", title, message: title },
      headers: { authorization: `Bearer ${NOTIFICATIONS_KEY}` },
    });
    assert.equal(answer.status, 201, answer.text);
  }

  it("notifications: no notification:unread again, what was notified meanwhile replayed", async () => {
    const user = unique("carol");
    await notify(user, "one");
    const client = recording_client(target, user, ["websocket"]);
    await connected(client);
    const [first] = await client.inbox.next("notification:unread");
    assert.deepEqual(first.items.map((n) => n.title), ["one"]);

    await has_offset(client);
    await drop(target, client);
    await notify(user, "two");   // while away: logged for the replay
    client.socket.connect();
    await connected(client);
    assert.equal(client.socket.recovered, true, "recovered");
    const [missed] = await client.inbox.next("notification:new");
    assert.equal(missed.notification.title, "two");
    // Hook emits leave right after the CONNECT reply: once a notification sent after
    // the reconnection arrived, a second notification:unread would have come before it.
    await notify(user, "three");
    const [later] = await client.inbox.next("notification:new");
    assert.equal(later.notification.title, "three");
    assert.equal(client.inbox.all("notification:unread").length, 1, "notification:unread only on the first connect");

    // Leaving on purpose ends the session: the next connection is fresh and gets them.
    client.socket.disconnect();
    client.socket.connect();
    await connected(client);
    assert.equal(client.socket.recovered, false);
    const [again] = await client.inbox.next("notification:unread");
    assert.deepEqual(again.items.map((n) => n.title), ["three", "two", "one"]);
    client.socket.disconnect();
  });

  for (const transports of [["websocket"], ["polling"]]) {
    it(`Lua: a connect hook sees ctx.handshake.recovered (${transports})`, async () => {
      const user = unique("dave");
      const client = recording_client(target, user, transports);
      await connected(client);
      assert.equal((await client.inbox.next("lua:connected"))[0], false);
      await has_offset(client);
    await drop(target, client);
      client.socket.connect();
      await connected(client);
      assert.equal(client.socket.recovered, true, "recovered");
      assert.equal((await client.inbox.next("lua:connected"))[0], true, "Lua sees ctx.handshake.recovered");
      client.socket.disconnect();
      client.socket.connect();
      await connected(client);
      assert.equal((await client.inbox.next("lua:connected"))[0], false, "fresh after leaving on purpose");
      client.socket.disconnect();
    });
  }
});
