// scripts/media.lua: media metadata and albums with ordered items; private albums
// stay private, also through another plugin's authorized join. SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { fence } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { call, ok, refused, start_features, user } from "./support.mjs";

for (const database of databases()) {
  describe(`media and albums on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({ database, features: ["media", "rooms"], migrations: ["media"] });
    });
    after(async () => {
      await d?.stop();
    });

    const upload = (client, title) =>
      ok(client, "media:upload", { url: `https://cdn.example/${title}.jpg`, kind: "image", title, mime: "image/jpeg",
        size_bytes: 1234, metadata: { width: 640, height: 480 } });

    test("uploads, updates and deletes reach the owner's devices and the media room", async (t) => {
      const ann = await user(t, d);
      const photo = await upload(ann, "sunset");
      assert.deepEqual(photo.metadata, { width: 640, height: 480 });
      assert.equal((await ann.inbox.next("media:uploaded"))[0].id, photo.id);
      await ok(ann, "media:join", { id: photo.id });
      const updated = await ok(ann, "media:update", { id: photo.id, title: "Sunset", metadata: { width: 1280 } });
      assert.deepEqual(updated.metadata, { width: 1280 });
      assert.equal((await ann.inbox.next("media:updated"))[0].title, "Sunset");
      await ok(ann, "media:delete", { id: photo.id });
      assert.deepEqual((await ann.inbox.next("media:deleted"))[0], { id: photo.id });
      await fence(ann, [ann]);
      assert.equal(ann.inbox.all("media:updated").length, 1, "once per device, in the room or not");
      assert.equal(await refused(ann, "media:get", { id: photo.id }), "not_found");
    });

    test("private, shared and public albums; media visible through the albums that hold them", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const eve = await user(t, d);
      const photo = await upload(ann, "private-photo");
      const mine = await ok(ann, "album:create", { title: "Mine" });
      assert.equal(mine.visibility, "private");
      await ok(ann, "album:add", { id: mine.id, media_id: photo.id });

      for (const event of ["album:get", "album:join"]) {
        assert.equal(await refused(ben, event, { id: mine.id }), "forbidden", event);
      }
      assert.equal(await refused(ben, "media:get", { id: photo.id }), "forbidden");
      assert.equal(await refused(ben, "media:join", { id: photo.id }), "forbidden");
      const [hooked] = await call(ben, "room:join", `album_${mine.id}`);
      assert.equal(hooked.code, "forbidden", "another plugin's authorized join follows the album's rule");
      const [media_hooked] = await call(ben, "room:join", `media_${photo.id}`);
      assert.equal(media_hooked.code, "forbidden");

      await ok(ann, "album:update", { id: mine.id, visibility: "shared", shared_with: [ben.name] });
      const seen = await ok(ben, "album:join", { id: mine.id });
      assert.deepEqual(seen.items.map((i) => i.id), [photo.id]);
      assert.equal(seen.shared_with, undefined, "only the owner sees who it is shared with");
      assert.equal((await ok(ben, "media:get", { id: photo.id })).title, "private-photo");
      assert.equal(await refused(eve, "album:get", { id: mine.id }), "forbidden");
      assert.equal(await refused(eve, "media:get", { id: photo.id }), "forbidden");
      assert.equal(await refused(ben, "album:add", { id: mine.id, media_id: photo.id }), "forbidden");

      await ok(ann, "album:update", { id: mine.id, visibility: "public" });
      assert.equal((await ok(eve, "album:get", { id: mine.id })).items.length, 1);
      assert.equal((await ok(eve, "media:get", { id: photo.id })).id, photo.id);
      // Someone else's media cannot go into my album.
      const others = await upload(eve, "eves");
      assert.equal(await refused(ann, "album:add", { id: mine.id, media_id: others.id }), "forbidden");

      await ok(ann, "album:delete", { id: mine.id });
      assert.deepEqual((await ben.inbox.next("album:deleted"))[0], { id: mine.id });
      assert.equal(await refused(eve, "media:get", { id: photo.id }), "forbidden", "no album shows it any more");
    });

    test("album items keep their order through adds, moves and removals", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const album = await ok(ann, "album:create", { title: "Trip", visibility: "public" });
      await ok(ben, "album:join", { id: album.id });
      const [a, b, c] = [await upload(ann, "a"), await upload(ann, "b"), await upload(ann, "c")];
      await ok(ann, "album:add", { id: album.id, media_id: a.id });
      await ok(ann, "album:add", { id: album.id, media_id: c.id });
      assert.equal((await ok(ann, "album:add", { id: album.id, media_id: b.id, position: 2 })).position, 2);
      const order = async () => (await ok(ben, "album:get", { id: album.id })).items.map((i) => `${i.position}${i.title}`);
      assert.deepEqual(await order(), ["1a", "2b", "3c"]);
      await ok(ann, "album:move", { id: album.id, media_id: c.id, position: 1 });
      assert.deepEqual(await order(), ["1c", "2a", "3b"]);
      await ok(ann, "album:move", { id: album.id, media_id: c.id, position: 9 });
      assert.deepEqual(await order(), ["1a", "2b", "3c"]);
      await ok(ann, "album:remove", { id: album.id, media_id: a.id });
      assert.deepEqual(await order(), ["1b", "2c"]);
      await ok(ann, "media:delete", { id: b.id });
      assert.deepEqual(await order(), ["1c"]);
      await fence(ann, [ben]);
      assert.deepEqual(ben.inbox.entries.map((e) => e.event).filter((e) => e.startsWith("album:item")), [
        "album:item-added", "album:item-added", "album:item-added", "album:item-moved", "album:item-moved",
        "album:item-removed", "album:item-removed",
      ]);
      assert.equal(await refused(ann, "album:add", { id: album.id, media_id: c.id }), "invalid_payload", "already in");
    });

    test("bad payloads get a clear invalid_payload", async (t) => {
      const ann = await user(t, d);
      const cases = [
        ["media:upload", {}],
        ["media:upload", { url: "x", kind: "hologram" }],
        ["media:upload", { url: "x", kind: "image", size_bytes: -1 }],
        ["media:upload", { url: "x", kind: "image", metadata: [1, 2] }],
        ["media:upload", { url: "x", kind: "image", metadata: { big: "x".repeat(9000) } }],
        ["album:create", { title: "x", visibility: "hidden" }],
        ["album:move", { id: "x", media_id: "y" }],
        ["album:add", "nope"],
      ];
      for (const [event, payload] of cases) {
        const [error] = await call(ann, event, payload);
        assert.equal(error?.code, "invalid_payload", `${event} ${JSON.stringify(payload)}: ${JSON.stringify(error)}`);
      }
    });
  });
}
