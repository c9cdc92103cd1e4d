// scripts/content.lua: items, chapters, ratings and views through real
// socket.io-client users, on SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { fence } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { call, ok, refused, start_features, user } from "./support.mjs";

for (const database of databases()) {
  describe(`content on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({
        database,
        // rooms.lua: another plugin's authorized joins must follow content's rule too.
        features: ["content", "rooms"],
        migrations: ["content"],
        settings: { content: { view_window_ms: 3_600_000 } },
      });
    });
    after(async () => {
      await d?.stop();
    });

    test("create, read, update and delete; the room hears about changes", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const item = await ok(ann, "content:create", { title: "Draft", body: "text", visibility: "public" });
      assert.match(item.id, /^[0-9a-f-]{36}$/);
      assert.equal(item.owner_id, ann.name);
      assert.deepEqual(item.rating, { average: 0, count: 0 });
      assert.deepEqual(item.shared_with, []);

      const seen = await ok(ben, "content:join", { id: item.id });
      assert.equal(seen.title, "Draft");
      assert.equal(seen.shared_with, undefined, "only the owner sees the shared-with list");

      const updated = await ok(ann, "content:update", { id: item.id, title: "Final" });
      assert.equal(updated.title, "Final");
      assert.equal(updated.body, "text");
      const [pushed] = await ben.inbox.next("content:updated");
      assert.equal(pushed.title, "Final");

      assert.equal(await refused(ben, "content:update", { id: item.id, title: "mine" }), "forbidden");
      assert.equal(await refused(ben, "content:delete", { id: item.id }), "forbidden");

      await ok(ann, "content:delete", { id: item.id });
      assert.deepEqual((await ben.inbox.next("content:deleted"))[0], { id: item.id });
      assert.equal(await refused(ben, "content:get", { id: item.id }), "not_found");
    });

    test("content rooms are for readers only: owner, public, shared-with", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const cat = await user(t, d);
      const secret = await ok(ann, "content:create", { title: "Secret" });
      assert.equal(secret.visibility, "private");
      const shared = await ok(ann, "content:create", { title: "For Ben", visibility: "shared", shared_with: [ben.name] });
      assert.deepEqual(shared.shared_with, [ben.name]);

      assert.equal(await refused(ben, "content:join", { id: secret.id }), "forbidden");
      assert.equal(await refused(ben, "content:get", { id: secret.id }), "forbidden");
      await ok(ben, "content:join", { id: shared.id });
      assert.equal(await refused(cat, "content:join", { id: shared.id }), "forbidden");
      assert.equal(await refused(cat, "content:view", { id: shared.id }), "forbidden");
      assert.equal(await refused(cat, "content:rate", { id: shared.id, stars: 5 }), "forbidden");
      // Through another plugin's authorized join (rooms.lua), the same rule.
      const [error] = await call(cat, "room:join", `content_${shared.id}`);
      assert.equal(error?.code ?? error, "forbidden", JSON.stringify(error));
      assert.deepEqual((await call(ben, "room:join", `content_${shared.id}`))[0], { ok: true });
      // A user's own room is never joinable by name.
      const [user_room] = await call(cat, "room:join", `user:${ann.name}`);
      assert.equal(user_room.code, "forbidden");

      // Unsharing: Ben loses access.
      await ok(ann, "content:update", { id: shared.id, shared_with: [] });
      assert.equal(await refused(ben, "content:get", { id: shared.id }), "forbidden");

      // Nothing about the private item reached Cat, in the room or not.
      await ok(ann, "content:update", { id: secret.id, title: "Still secret" });
      await fence(ann, [ann, ben, cat]);
      assert.equal(cat.inbox.all("content:updated").length, 0);
      assert.equal(cat.inbox.all("content:created").length, 0);
    });

    test("chapters stay ordered through inserts, moves and deletes", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const item = await ok(ann, "content:create", { title: "Book", visibility: "public" });
      await ok(ben, "content:join", { id: item.id });
      const one = await ok(ann, "chapter:create", { content_id: item.id, title: "One" });
      const three = await ok(ann, "chapter:create", { content_id: item.id, title: "Three" });
      const two = await ok(ann, "chapter:create", { content_id: item.id, title: "Two", position: 2 });
      assert.deepEqual([one.position, three.position, two.position], [1, 2, 2]);
      const titles = async () => (await ok(ben, "content:get", { id: item.id })).chapters.map((c) => `${c.position}:${c.title}`);
      assert.deepEqual(await titles(), ["1:One", "2:Two", "3:Three"]);

      await ok(ann, "chapter:update", { id: three.id, position: 1 });
      assert.deepEqual(await titles(), ["1:Three", "2:One", "3:Two"]);
      await ok(ann, "chapter:update", { id: three.id, position: 99, body: "the end" });
      assert.deepEqual(await titles(), ["1:One", "2:Two", "3:Three"]);
      assert.equal((await ok(ben, "chapter:get", { id: three.id })).body, "the end");

      await ok(ann, "chapter:delete", { id: one.id });
      assert.deepEqual(await titles(), ["1:Two", "2:Three"]);

      await fence(ann, [ben]);
      const events = ben.inbox.entries.map((e) => e.event).filter((n) => n.startsWith("chapter:"));
      assert.deepEqual(events, ["chapter:created", "chapter:created", "chapter:created", "chapter:updated", "chapter:updated", "chapter:deleted"]);
      assert.equal(await refused(ben, "chapter:create", { content_id: item.id, title: "x" }), "forbidden");
      assert.equal(await refused(ben, "chapter:delete", { id: two.id }), "forbidden");
    });

    test("ratings: 1 to 5, one per user, a live average", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const cat = await user(t, d);
      const item = await ok(ann, "content:create", { title: "Rated", visibility: "public" });
      await ok(ann, "content:join", { id: item.id });
      assert.deepEqual(await ok(ben, "content:rate", { id: item.id, stars: 4 }), { id: item.id, stars: 4, average: 4, count: 1 });
      assert.deepEqual((await ann.inbox.next("content:rated"))[0], { id: item.id, average: 4, count: 1 });
      await ok(cat, "content:rate", { id: item.id, stars: 1 });
      assert.equal((await ok(ben, "content:rate", { id: item.id, stars: 5 })).average, 3, "a second rating replaces the first");
      const got = await ok(ann, "content:get", { id: item.id });
      assert.deepEqual(got.rating, { average: 3, count: 2 });
      for (const stars of [0, 6, 2.5, "5", null]) {
        assert.equal(await refused(ben, "content:rate", { id: item.id, stars }), "invalid_payload", String(stars));
      }
    });

    test("views count once per user per window", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const item = await ok(ann, "content:create", { title: "Viewed", visibility: "public" });
      await ok(ann, "content:join", { id: item.id });
      assert.deepEqual(await ok(ben, "content:view", { id: item.id }), { id: item.id, views: 1, counted: true });
      assert.deepEqual(await ok(ben, "content:view", { id: item.id }), { id: item.id, views: 1, counted: false });
      assert.deepEqual(await ok(ann, "content:view", { id: item.id }), { id: item.id, views: 2, counted: true });
      await fence(ann, [ann]);
      assert.deepEqual(ann.inbox.all("content:viewed").map(([v]) => v.views), [1, 2]);
    });

    test("bad payloads get a clear invalid_payload", async (t) => {
      const ann = await user(t, d);
      const cases = [
        ["content:create", "not an object"],
        ["content:create", {}],
        ["content:create", { title: "" }],
        ["content:create", { title: "x".repeat(201) }],
        ["content:create", { title: 7 }],
        ["content:create", { title: "x", visibility: "secret" }],
        ["content:create", { title: "x", shared_with: { a: 1 } }],
        ["content:create", { title: "x", shared_with: [""] }],
        ["content:get", { id: "../etc" }],
        ["content:get", {}],
        ["chapter:create", { content_id: "x" }],
        ["content:view", []],
      ];
      for (const [event, payload] of cases) {
        const [error] = await call(ann, event, payload);
        assert.equal(error?.code, "invalid_payload", `${event} ${JSON.stringify(payload)}: ${JSON.stringify(error)}`);
        assert.ok(error.message.length > 0);
      }
      assert.equal(await refused(ann, "content:get", { id: "no-such-id" }), "not_found");
    });
  });
}
