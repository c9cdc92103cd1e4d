// Found by the recovery soak (#18, tests/soak): an event logged before a recovering
// socket's replay read the log, but delivered on the socket's worker only after the
// replay, reached the client twice — once replayed, once live. Made deterministic
// here: one polling POST carries, in this order, an event on another namespace whose
// inline Lua handler emits to the user on "/" (logged, its delivery queued on this
// worker) and the CONNECT that recovers the user's "/" socket (the replay reads the
// log before that delivery runs). The client must get the event once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { unique, until } from "./support/client.mjs";
import { start_deployment } from "./support/deployment.mjs";
import { http_request, polling_handshake } from "./support/http.mjs";
import { API_KEY, connected, drop, recording_client, switchboard_target } from "./support/recovery.mjs";

const SCRIPT = `
local sb = require("switchboard")
sb.on("poke", function(ctx)
  sb.emit{ user = ctx.user.id, event = "poked", data = "once", nsp = "/" }
end, { inline = true, nsp = "/other" })
`;

const SEPARATOR = "\x1e";

describe("recovery replay and live delivery", () => {
  let d;
  let target;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "switchboard-replay-race-"));
    const script = path.join(dir, "poke.lua");
    writeFileSync(script, SCRIPT);
    d = await start_deployment({
      namespaces: [
        { name: "/", anonymous: false },
        { name: "/other", anonymous: false },
      ],
      socketio: { recovery: { enabled: true, max_disconnection_duration: "2m" } },
      plugins: [{ name: "lua", config: { scripts: [script] } }],
      extra: { api: { keys: [API_KEY], keys_env: [] } },
    });
    target = switchboard_target(d);
  });
  after(async () => {
    await d?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("an event logged just before the replay reaches the recovered client once", async () => {
    const user = unique("erin");
    const client = recording_client(target, user, ["polling"]);
    await connected(client);
    await target.to_socket(client.socket.id, 0);
    await client.inbox.next("tick");
    const id = client.socket.id;
    const pid = client.socket._pid;
    const offset = client.socket._lastOffset;
    assert.equal(typeof pid, "string");
    assert.equal(typeof offset, "string");
    await drop(target, client);
    client.socket.io.reconnection(false);

    // The recovery by hand, over a polling session of its own.
    const { sid } = await polling_handshake(d);
    const query = { EIO: "4", transport: "polling", sid };
    const received = [];
    // Each GET waits for the server's next packets: the condition is asked after each.
    const read_until = (what, condition) =>
      until(
        async () => {
          if (condition()) return true;
          const answer = await http_request(d, { query });
          assert.equal(answer.status, 200);
          received.push(...answer.body.split(SEPARATOR));
          return condition();
        },
        what,
        10_000,
        0,
      );
    const token = d.token(user);
    let answer = await http_request(d, { method: "POST", query, body: `40/other,${JSON.stringify({ token })}` });
    assert.equal(answer.status, 200);
    await read_until("the /other CONNECT reply", () => received.some((p) => p.startsWith("40/other,")));
    answer = await http_request(d, {
      method: "POST",
      query,
      body: [`42/other,["poke"]`, `40${JSON.stringify({ token, pid, offset })}`].join(SEPARATOR),
    });
    assert.equal(answer.status, 200);
    await read_until("the / CONNECT reply", () => received.some((p) => p.startsWith("40{")));
    assert.equal(JSON.parse(received.find((p) => p.startsWith("40{")).slice(2)).sid, id, "recovered");
    // Everything the server had for the socket comes before an emit made now.
    await target.to_socket(id, 1);
    await read_until("the marker", () => received.some((p) => p.startsWith('42["tick",1')));
    const poked = received.filter((p) => p.startsWith('42["poked"'));
    assert.equal(poked.length, 1, `poked once, got ${JSON.stringify(received)}`);
  });
});
