// Blocks hide what blocked users wrote, on SQLite and PostgreSQL: the social plugin
// announces a block on the bus, the blog mirrors it, and from then on neither user
// gets the other's posts or comments, by any call or push (a hidden post answers
// not_found, as a deleted one), the ranking included; an unblock shows them again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { ok, refused, request, users_for } from "./social_helpers.mjs";

// The block reaches the blog through the bus, on the handler pool: wait until the
// blog answers as expected (a bounded wait for a state, not a pause).
async function until(what, check) {
  for (let tries = 0; !(await check()); tries++) {
    assert.ok(tries < 200, `waited too long for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const visible = async (viewer, postId) => (await request(viewer, "blog:get", { postId }))[0] === null;

for (const database of databases()) {
  describe(`blog with blocks on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({ database, plugins: [{ name: "blog", config: { ranking_interval: 100 } }, { name: "social" }] });
    });
    after(() => d?.stop());

    it("hides each one's posts and comments from the other, and only from them", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const mallory = await users.connect(unique("mallory"));
      const bob = await users.connect(unique("bob"));
      const post = await ok(alice, "blog:create", { title: "alice's", body: "by alice" });
      const theirs = await ok(mallory, "blog:create", { title: "mallory's", body: "by mallory" });
      const neutral = await ok(bob, "blog:create", { title: "bob's", body: "by bob" });
      for (const u of [alice, mallory, bob]) await ok(u, "blog:watch_feed");

      await ok(alice, "social:block", { userId: mallory.user });
      await until("the block to reach the blog", async () => !(await visible(mallory, post.id)));

      for (const [event, payload] of [
        ["blog:get", { postId: post.id }],
        ["blog:watch", { postId: post.id }],
        ["blog:like", { postId: post.id }],
        ["blog:view", { postId: post.id }],
        ["blog:comment", { postId: post.id, body: "hi" }],
        ["blog:comments", { postId: post.id }],
      ])
        assert.equal(await refused(mallory, event, payload), "not_found", event);
      assert.equal(await refused(alice, "blog:get", { postId: theirs.id }), "not_found", "both ways");
      assert.deepEqual((await ok(mallory, "blog:list", { author: alice.user })).posts, []);
      assert.ok(!(await ok(alice, "blog:list")).posts.some((p) => p.author === mallory.user));
      assert.equal((await ok(bob, "blog:list")).posts.length, 3, "others see everything");

      // Live: alice's new post reaches bob, not mallory.
      const fresh = await ok(alice, "blog:create", { title: "after the block", body: "x" });
      await bob.inbox.next("blog:post", { where: ([p]) => p.id === fresh.id });
      // Nor a like count of it, nor its deletion: an id alone tells it exists.
      const doomed = await ok(alice, "blog:create", { title: "to be deleted", body: "x" });
      await ok(bob, "blog:like", { postId: doomed.id });
      await bob.inbox.next("blog:likes", { where: ([l]) => l.postId === doomed.id });
      await ok(alice, "blog:delete", { postId: doomed.id });
      await bob.inbox.next("blog:post_deleted", { where: ([p]) => p.postId === doomed.id });
      await ok(mallory, "blog:list");   // after the pushes on her connection
      assert.ok(!mallory.inbox.all("blog:post").some(([p]) => p.id === fresh.id));
      for (const event of ["blog:post", "blog:likes", "blog:post_deleted"])
        assert.ok(!mallory.inbox.all(event).some(([p]) => [fresh.id, doomed.id].includes(p.id ?? p.postId)), event);

      // Comments under a third user's post: mallory's reach bob, not alice.
      await ok(alice, "blog:watch", { postId: neutral.id });
      await ok(bob, "blog:watch", { postId: neutral.id });
      const comment = await ok(mallory, "blog:comment", { postId: neutral.id, body: "from mallory" });
      const carol = await users.connect(unique("carol"));
      await ok(carol, "blog:comment", { postId: neutral.id, body: "from carol" });
      await bob.inbox.next("blog:comment", { where: ([c]) => c.id === comment.id });
      await alice.inbox.next("blog:comment", { where: ([c]) => c.author === carol.user });
      assert.ok(!alice.inbox.all("blog:comment").some(([c]) => c.author === mallory.user));
      assert.deepEqual((await ok(alice, "blog:comments", { postId: neutral.id })).comments.map((c) => c.author), [carol.user]);
      assert.equal(await refused(alice, "blog:comment", { postId: neutral.id, parentId: comment.id, body: "re" }), "not_found");

      // The ranking: the watchers a block separates get theirs without the other's posts.
      await ok(mallory, "blog:watch_ranking");
      await ok(bob, "blog:watch_ranking");
      await ok(bob, "blog:like", { postId: fresh.id });
      await ok(carol, "blog:like", { postId: theirs.id });
      await bob.inbox.next("blog:ranking", { where: ([r]) => r.posts.some((p) => p.id === fresh.id) && r.posts.some((p) => p.id === theirs.id) });
      const [own] = await mallory.inbox.next("blog:ranking", { where: ([r]) => r.posts.some((p) => p.id === theirs.id) });
      assert.ok(!own.posts.some((p) => p.author === alice.user));
      assert.ok(mallory.inbox.all("blog:ranking").every(([r]) => !r.posts.some((p) => p.author === alice.user)));
      assert.ok(!(await ok(mallory, "blog:ranking")).posts.some((p) => p.author === alice.user));

      await ok(alice, "social:unblock", { userId: mallory.user });
      await until("the unblock to reach the blog", () => visible(mallory, post.id));
      assert.equal((await ok(alice, "blog:get", { postId: theirs.id })).author, mallory.user);
    });
  });
}
