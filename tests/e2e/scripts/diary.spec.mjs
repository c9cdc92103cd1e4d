// scripts/diary.lua: an entry reaches its author and the users it is shared with, on
// every device, and nobody else, not even a socket sitting in diary_{id}.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { fence } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { call, ok, refused, start_features, user } from "./support.mjs";

// A script that joins a socket to any room without asking anyone: what a careless
// plugin could do. Diary events must still not reach it.
const CARELESS = `local sb = require("switchboard")
sb.on("careless:join", function(ctx, room) ctx.socket:join(room) return true end)
`;

for (const database of databases()) {
  describe(`diary on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({
        database,
        features: ["diary", "rooms"],
        migrations: ["diary"],
        scripts: { "careless.lua": CARELESS },
      });
    });
    after(async () => {
      await d?.stop();
    });

    test("entries go to the author's devices and to those shared with, nowhere else", async (t) => {
      const name = `ann-${Math.random().toString(36).slice(2, 8)}`;
      const ann_phone = await user(t, d, name);
      const ann_laptop = await user(t, d, name);
      const ben = await user(t, d);
      const eve = await user(t, d);

      const entry = await ok(ann_phone, "diary:create", { title: "Day 1", body: "dear diary", shared_with: [ben.name] });
      assert.equal(entry.author_id, name);
      assert.deepEqual(entry.shared_with, [ben.name]);
      assert.equal((await ann_laptop.inbox.next("diary:created"))[0].id, entry.id, "the author's other device");
      const [for_ben] = await ben.inbox.next("diary:created");
      assert.equal(for_ben.body, "dear diary");
      assert.equal(for_ben.shared_with, undefined, "readers do not see who else reads");

      // Eve tries every way in.
      assert.equal(await refused(eve, "diary:get", { id: entry.id }), "not_found");
      assert.equal(await refused(eve, "diary:update", { id: entry.id, body: "hacked" }), "not_found");
      assert.equal(await refused(eve, "diary:delete", { id: entry.id }), "not_found");
      const [hooked] = await call(eve, "room:join", `diary_${entry.id}`);
      assert.equal(hooked.code, "forbidden", "an authorized join of diary_{id} is refused");
      assert.deepEqual(await call(eve, "careless:join", `diary_${entry.id}`), [true, undefined]);
      assert.deepEqual((await ok(eve, "diary:list")).map((e) => e.id).includes(entry.id), false);

      await ok(ann_phone, "diary:update", { id: entry.id, body: "edited" });
      assert.equal((await ben.inbox.next("diary:updated"))[0].body, "edited");
      assert.equal((await ann_laptop.inbox.next("diary:updated"))[0].body, "edited");
      await fence(ann_phone, [ann_phone, ann_laptop, ben, eve]);
      assert.equal(eve.inbox.entries.filter((e) => e.event.startsWith("diary:")).length, 0, "nothing reached Eve");

      // Ben may read, not write.
      assert.equal((await ok(ben, "diary:get", { id: entry.id })).body, "edited");
      assert.equal(await refused(ben, "diary:update", { id: entry.id, body: "mine" }), "forbidden");
      assert.ok((await ok(ben, "diary:list")).some((e) => e.id === entry.id));

      // Unshared: Ben is told it is gone, and can read it no more.
      await ok(ann_phone, "diary:update", { id: entry.id, shared_with: [] });
      assert.deepEqual((await ben.inbox.next("diary:deleted"))[0], { id: entry.id });
      assert.equal(await refused(ben, "diary:get", { id: entry.id }), "not_found");
      await ok(ann_phone, "diary:update", { id: entry.id, title: "after" });
      await fence(ann_phone, [ben, eve]);
      assert.equal(ben.inbox.all("diary:updated").length, 1, "no updates after unsharing");

      await ok(ann_phone, "diary:delete", { id: entry.id });
      assert.deepEqual((await ann_laptop.inbox.next("diary:deleted"))[0], { id: entry.id });
      assert.equal(await refused(ann_phone, "diary:get", { id: entry.id }), "not_found");
    });

    test("bad payloads get a clear invalid_payload", async (t) => {
      const ann = await user(t, d);
      const cases = [
        ["diary:create", null],
        ["diary:create", {}],
        ["diary:create", { body: "" }],
        ["diary:create", { body: "x", mood: "m".repeat(40) }],
        ["diary:create", { body: "x", shared_with: "ben" }],
        ["diary:get", { id: 12 }],
        ["diary:list", { before: "yesterday" }],
      ];
      for (const [event, payload] of cases) {
        const [error] = await call(ann, event, payload);
        assert.equal(error?.code, "invalid_payload", `${event} ${JSON.stringify(payload)}: ${JSON.stringify(error)}`);
      }
    });
  });
}
