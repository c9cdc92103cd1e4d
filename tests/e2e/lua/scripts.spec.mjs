// The scripts shipped in scripts/: rooms.lua and typing.lua, loaded as a deployment
// would load them.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Clients, fence, request, unique } from "../support/client.mjs";
import { REPO } from "../support/deployment.mjs";
import { start_lua } from "./support.mjs";

const WS = { name: "websocket", options: { transports: ["websocket"] } };
const SHIPPED = path.join(REPO, "scripts");

let d;
before(async () => {
  d = await start_lua({
    // A fence for the tests: the test app's "emit", namespace-wide.
    scripts: {
      "fence.lua": `local sb = require("switchboard")
sb.on("emit", function(ctx, spec) sb.emit{ event = spec.event, args = spec.args } return true end)`,
    },
    load: [path.join(SHIPPED, "rooms.lua"), path.join(SHIPPED, "typing.lua"), "fence.lua"],
    config: { settings: { rooms: { allow: ["^public:", "^game:%d+$"], max_length: 20 } } },
    namespaces: [{ name: "/", anonymous: false }],
  });
});
after(async () => {
  await d?.stop();
});

async function client(t, user = unique("user")) {
  const clients = t.clients ?? (t.clients = new Clients(t, d));
  return clients.connect(WS, { auth: { token: d.token(user) } });
}

describe("rooms.lua", () => {
  test("joins the rooms its policy allows and refuses the others", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request(c, "room:join", "public:lobby"), { ok: true });
    assert.deepEqual(await request(c, "room:join", "game:42"), { ok: true });
    assert.deepEqual(await request(c, "room:join", "game:x"), {
      code: "forbidden",
      message: "room game:x is not open to clients",
    });
    assert.equal((await request(c, "room:join", "public:" + "x".repeat(30))).code, "invalid_payload");
    assert.equal((await request(c, "room:join", 7)).code, "invalid_payload");
    assert.deepEqual(await request(c, "room:leave", "public:lobby"), { ok: true });
  });
});

describe("typing.lua", () => {
  test("relays typing to the room's other members only", async (t) => {
    const [ann, ben, cat] = [await client(t, "ann"), await client(t, "ben"), await client(t, "cat")];
    const room = `public:${unique("r").slice(0, 8)}`;
    await request(ann, "room:join", room);
    await request(ben, "room:join", room);
    ann.socket.emit("typing:start", { room });
    assert.deepEqual(await ben.inbox.next("typing"), [{ room, user: "ann", typing: true }]);
    ann.socket.emit("typing:stop", { room });
    assert.deepEqual(await ben.inbox.next("typing"), [{ room, user: "ann", typing: false }]);
    await fence(ann, [ann, ben, cat]);
    assert.equal(ann.inbox.all("typing").length, 0, "not to the sender");
    assert.equal(cat.inbox.all("typing").length, 0, "not outside the room");
  });
});
