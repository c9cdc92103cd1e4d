// `switchboard reload` (or SIGHUP) loads the scripts into fresh states and swaps them
// in: runs in progress finish on the old states, a script that fails to load is
// refused and the previous version keeps serving, and no event is lost.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, request, request_all, unique, until } from "../support/client.mjs";
import { log_line, start_lua } from "./support.mjs";

const WS = { name: "websocket", options: { transports: ["websocket"] } };

function script(version, extra = "") {
  return `-- version ${version}
local sb = require("switchboard")
local VERSION = ${version}

sb.on("version", function(ctx) return VERSION end)
sb.on("version-inline", function(ctx) return VERSION end, { inline = true })
sb.on("message", function(ctx, n) ctx.socket:emit("message-back", n, VERSION) end)
sb.on("message-inline", function(ctx, n) ctx.socket:emit("message-back", n, VERSION) end, { inline = true })
sb.on("hold", function(ctx)
  local answer = ctx.socket:ask{ event = "hold", timeout = 5000 }
  return VERSION, answer and answer[1]
end)
${extra}
`;
}

let d;
before(async () => {
  d = await start_lua({
    scripts: { "app.lua": script(1) },
    namespaces: [{ name: "/", anonymous: true }],
    log_level: "debug",
  });
});
after(async () => {
  await d?.stop();
});

async function client(t) {
  const clients = t.clients ?? (t.clients = new Clients(t, d));
  return clients.connect(WS);
}

// Asks often enough to reach every handler thread: all must answer `version`.
async function expect_version(c, version) {
  const answers = await Promise.all(
    Array.from({ length: 24 }, (_, i) => request(c, i % 2 ? "version" : "version-inline")),
  );
  assert.deepEqual(new Set(answers), new Set([version]), `every state serves version ${version}`);
}

describe("reload", { concurrency: false }, () => {
  let version = 1;

  test("swaps the new scripts in on every handler thread", async (t) => {
    const c = await client(t);
    await expect_version(c, version);
    d.write("app.lua", script(++version));
    assert.match(await d.reload(), /reloaded 1 script\(s\) \(generation \d+\)/);
    await expect_version(c, version);
  });

  test("SIGHUP reloads too", async (t) => {
    const c = await client(t);
    d.write("app.lua", script(++version));
    assert.match(await d.reload({ signal: true }), /reloaded/);
    await expect_version(c, version);
  });

  test("serves event names that appeared at the reload, inline and pooled", async (t) => {
    const c = await client(t);
    const extra = `
sb.on("brand-new", function(ctx, x) return "new", x end)
sb.on("brand-new-inline", function(ctx, x) return "new inline", x end, { inline = true })
`;
    d.write("app.lua", script(++version, extra));
    await d.reload();
    assert.deepEqual(await request_all(c, "brand-new", 1), ["new", 1]);
    assert.deepEqual(await request_all(c, "brand-new-inline", 2), ["new inline", 2]);
  });

  test("a syntax error is refused with file and line; the previous version keeps serving", async (t) => {
    const c = await client(t);
    d.write("app.lua", script(version + 1, "local broken = = 1"));
    const line = await d.reload();
    assert.match(line, /ERROR .*reload refused, the previous scripts keep serving: \S*app\.lua:\d+: unexpected symbol near '='/);
    await expect_version(c, version);
    // Fixed, it goes through.
    d.write("app.lua", script(++version));
    assert.match(await d.reload(), /reloaded/);
    await expect_version(c, version);
  });

  test("a script that fails while loading is refused too", async (t) => {
    const c = await client(t);
    d.write("app.lua", script(version + 1, `error("no config for this environment")`));
    assert.match(await d.reload(), /reload refused.*app\.lua:\d+: no config for this environment/);
    d.write("app.lua", script(version + 1, "while true do end"));
    assert.match(await d.reload(), /reload refused.*app\.lua:\d+: instruction limit .* reached while the script loaded/);
    await expect_version(c, version);
  });

  test("a run in progress finishes on the old version, which then closes", async (t) => {
    const c = await client(t);
    let release;
    const held = new Promise((resolve) => {
      c.socket.on("hold", (ack) => {
        release = () => ack("answered late");
        resolve();
      });
    });
    const pending = request_all(c, "hold");
    await held;   // the handler is parked in the old version, waiting for this answer
    const old_version = version;
    d.write("app.lua", script(++version));
    const reloaded = await d.reload();
    const generation = Number(/generation (\d+)/.exec(reloaded)[1]);
    await expect_version(c, version);
    release();
    assert.deepEqual(await pending, [old_version, "answered late"]);
    await log_line(d, new RegExp(`generation ${generation - 1} closed`), "the old generation closing");
  });

  test("timers declared by the scripts are replaced", async (t) => {
    const c = await client(t);
    const ticker = (tag) => `sb.timer(0, function() sb.emit{ to = "ticks", event = "tick", data = "${tag}" } end, { every = 40 })`;
    d.write("app.lua", script(++version, `${ticker("old")}\nsb.on("join-ticks", function(ctx) ctx.socket:join("ticks") return true end)`));
    await d.reload();
    assert.equal(await request(c, "join-ticks"), true);
    await c.inbox.next("tick", { where: ([tag]) => tag === "old" });
    d.write("app.lua", script(++version, `${ticker("new")}\nsb.on("join-ticks", function(ctx) ctx.socket:join("ticks") return true end)`));
    await d.reload();
    // An old tick that fired as the reload cancelled it may still land after the first
    // new one: count from the second new tick on.
    for (let i = 0; i < 2; i++) await c.inbox.next("tick", { where: ([tag]) => tag === "new" });
    const old_before = c.inbox.all("tick").filter(([tag]) => tag === "old").length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const old_after = c.inbox.all("tick").filter(([tag]) => tag === "old").length;
    assert.equal(old_after, old_before, "the old timer stopped");
  });

  test("a hook the start-up scripts did not declare waits for a restart, and says so", async () => {
    d.write("app.lua", script(++version, "sb.on_join(function() return false end)"));
    await d.reload();
    await log_line(d, /WARN .*on_join \(\S*app\.lua:\d+\) takes effect at the next restart/);
  });

  test("a steady stream of events across reloads: every event answered, none lost", async (t) => {
    const clients = await Promise.all([client(t), client(t), client(t), client(t)]);
    let reloading = true;
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    // Each client streams until the reloads are over, then 20 more: acks from a pooled
    // and an inline handler, and plain emits answered by an emit (pooled, inline).
    const streams = clients.map(async (c, index) => {
      const versions = [];
      let n = 0;
      for (let after_reloads = 0; after_reloads < 20; n += 1) {
        if (!reloading) after_reloads += 1;
        if (index === 0) versions.push(await request(c, "version"));
        else if (index === 1) versions.push(await request(c, "version-inline"));
        else {
          c.socket.emit(index === 2 ? "message" : "message-inline", n);
          await pause(n % 5 === 0 ? 2 : 0);
        }
      }
      return { sent: n, versions };
    });
    const first = version;
    for (let i = 0; i < 3; i += 1) {
      await pause(50);
      d.write("app.lua", script(++version));
      await d.reload();
    }
    reloading = false;
    const results = await Promise.all(streams);
    for (const { sent, versions } of results.slice(0, 2)) {
      assert.equal(versions.length, sent);
      // Per socket, in order: once a version answered, never an older one after it.
      for (let i = 1; i < versions.length; i += 1) assert.ok(versions[i] >= versions[i - 1], `monotonic: ${versions}`);
      assert.equal(versions[0], first);
      assert.equal(versions.at(-1), version);
    }
    for (const [index, c] of clients.entries()) {
      if (index < 2) continue;
      const { sent } = results[index];
      await until(() => c.inbox.all("message-back").length >= sent, `all ${sent} messages of client ${index} echoed`, 10_000, 10);
      await pause(50);
      const backs = c.inbox.all("message-back");
      assert.deepEqual(
        backs.map(([n]) => n),
        Array.from({ length: sent }, (_, n) => n),
        "every message answered once, in order",
      );
      assert.equal(backs[0][1], first);
      assert.equal(backs.at(-1)[1], version);
    }
  });
});
