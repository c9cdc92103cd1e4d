// scripts/ads.lua: views de-duplicated per user, ad and window, from clients and from
// the ad system through the server API's bus; live counts for the ad's owner only.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { fence, unique } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { call, ok, refused, start_features, user } from "./support.mjs";

const API_KEY = "ads-spec-api-key-0123456789";

for (const database of databases()) {
  describe(`ads on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({
        database,
        features: ["ads", "rooms"],
        migrations: ["ads"],
        settings: { ads: { window_ms: 3_600_000 } },
        extra: { api: { keys: [API_KEY] } },
      });
    });
    after(async () => {
      await d?.stop();
    });

    test("a view counts once per user and window; the owner sees the count live", async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const cat = await user(t, d);
      const ad = await ok(ann, "ad:create", { title: "Shoes" });
      assert.deepEqual(await ok(ann, "ad:watch", { id: ad.id }), { ad_id: ad.id, views: 0 });

      assert.deepEqual(await ok(ben, "ad:view", { ad_id: ad.id }), { ad_id: ad.id, counted: true });
      assert.deepEqual(await ok(ben, "ad:view", { ad_id: ad.id }), { ad_id: ad.id, counted: false });
      assert.deepEqual(await ok(cat, "ad:view", { ad_id: ad.id }), { ad_id: ad.id, counted: true });
      await fence(ben, [ann]);
      assert.deepEqual(ann.inbox.all("ad:view-logged").map(([v]) => [v.user_id, v.views]), [[ben.name, 1], [cat.name, 2]]);
      assert.deepEqual(await ok(ann, "ad:stats", { id: ad.id }), { ad_id: ad.id, views: 2, viewers: 2 });

      // Counts are the owner's: not the viewers', not through another plugin's join.
      assert.equal(await refused(ben, "ad:stats", { id: ad.id }), "forbidden");
      assert.equal(await refused(ben, "ad:watch", { id: ad.id }), "forbidden");
      const [hooked] = await call(ben, "room:join", `ad_${ad.id}`);
      assert.equal(hooked.code, "forbidden");
      await fence(ann, [ben]);
      assert.equal(ben.inbox.all("ad:view-logged").length, 0);
    });

    test("views from the ad system through POST /api/publish, de-duplicated the same way", async (t) => {
      const ann = await user(t, d);
      const ad = await ok(ann, "ad:create", { title: "Hats", id: unique("ad") });
      await ok(ann, "ad:watch", { id: ad.id });
      const publish = (user_id) =>
        fetch(`${d.url}/api/publish`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": API_KEY },
          body: JSON.stringify({ topic: "ads:view", payload: { ad_id: ad.id, user_id } }),
        }).then((r) => r.status);
      assert.equal(await publish("dave"), 202);
      assert.equal((await ann.inbox.next("ad:view-logged"))[0].user_id, "dave");
      assert.equal(await publish("dave"), 202);
      assert.equal(await publish("erin"), 202);
      // Erin's view is logged after Dave's second, which did not count.
      const [erin] = await ann.inbox.next("ad:view-logged");
      assert.deepEqual([erin.user_id, erin.views], ["erin", 2]);
      assert.equal(ann.inbox.all("ad:view-logged").length, 2);
    });

    test("bad payloads and unknown ads", async (t) => {
      const ann = await user(t, d);
      for (const payload of [{}, { ad_id: "" }, { ad_id: 5 }, "x"]) {
        assert.equal(await refused(ann, "ad:view", payload), "invalid_payload", JSON.stringify(payload));
      }
      assert.equal(await refused(ann, "ad:view", { ad_id: "no-such-ad" }), "not_found");
      assert.equal(await refused(ann, "ad:create", {}), "invalid_payload");
      const ad = await ok(ann, "ad:create", { title: "Once", id: unique("ad") });
      assert.equal(await refused(ann, "ad:create", { title: "Twice", id: ad.id }), "invalid_payload");
    });
  });
}
