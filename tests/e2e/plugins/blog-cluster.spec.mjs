// The blog (#14) on two nodes over Redis sharing one database, SQLite and PostgreSQL,
// with real socket.io-client users on both nodes: 100 likers split over the nodes
// liking then unliking one post at once (counts agree with the database on both
// nodes, and no watcher on either node ever goes back to an older count), posts,
// edits and comments pushed to watchers on the other node, and the ranking pushed
// alike on both nodes (once a change, never an older one last).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { until } from "../support/cluster.mjs";
import { databases } from "../support/deployment.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { POLLING, db_number, ok, users_for } from "./social_helpers.mjs";

const LIKERS = 100;

// The counts of the blog:likes pushes a watcher got for `post`, in arrival order.
const counts_seen = (watcher, post) =>
  watcher.inbox.all("blog:likes").filter(([p]) => p.postId === post).map(([p]) => p.likes);

// Waits until the watcher's latest count for `post` is `count`.
const until_count = (watcher, post, count) =>
  until(() => counts_seen(watcher, post).at(-1) === count, `${watcher.user} seeing ${count} likes on ${post}`, 60_000);

// What identifies a ranking: its posts and their like counts, in order.
const ranking_key = (ranking) => JSON.stringify(ranking.posts.map((p) => [p.id, p.likes]));

for (const database of databases()) {
  describe(`blog on two nodes over Redis, ${database}`, { skip: !redis_available() && "no Redis" }, () => {
    let pair;
    before(async () => {
      pair = await start_node_pair({ database, plugins: [{ name: "blog", config: { ranking_interval: 100 } }] });
    });
    after(() => pair?.stop());

    it(`${LIKERS} clients on both nodes like, then unlike, one post at once`, { timeout: 240_000 }, async (t) => {
      const on = [users_for(t, pair.a), users_for(t, pair.b)];
      const author = await on[0].connect(unique("author"));
      const post = await ok(author, "blog:create", { title: "popular on two nodes", body: "everyone likes this" });
      // Two watchers of the post and one of the feed on each node, one on long-polling.
      const watchers = [];
      for (const [n, users] of on.entries()) {
        for (let i = 0; i < 3; i++) {
          const w = await users.connect(unique(`watcher-${n}`), { options: i === 0 ? POLLING : undefined });
          if (i === 2) await ok(w, "blog:watch_feed");
          else await ok(w, "blog:watch", { postId: post.id });
          watchers.push(w);
        }
      }
      const likers = [];
      for (let i = 0; i < LIKERS; i += 20)
        likers.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) =>
          on[(i + j) % 2].connect(unique("liker"), { timeout: 20_000 })))));

      // Every liker likes at once: the count only rises, so a watcher that goes down
      // was shown an older count after a newer one.
      const liked = await Promise.all(likers.map((liker) => ok(liker, "blog:like", { postId: post.id })));
      assert.ok(liked.every((r) => r.liked));
      assert.deepEqual(liked.map((r) => r.likes).sort((x, y) => x - y), Array.from({ length: LIKERS }, (_, i) => i + 1),
        "each like answered its own count");
      for (const w of watchers) await until_count(w, post.id, LIKERS);

      // The odd ones unlike at once while the even ones repeat an explicit like (no
      // change): the count only falls.
      const second = await Promise.all(likers.map((liker, i) =>
        ok(liker, "blog:like", { postId: post.id, liked: i % 2 === 0 })));
      const expected = LIKERS / 2;
      assert.ok(second.every((r, i) => r.liked === (i % 2 === 0)));

      assert.equal(await db_number(pair.a, `SELECT COUNT(*) FROM blog_likes WHERE post_id = ${post.id}`), expected, "like rows");
      assert.equal(await db_number(pair.a, `SELECT like_count FROM blog_posts WHERE id = ${post.id}`), expected, "the post's count");
      for (const [n, users] of on.entries()) {
        const reader = await users.connect(unique(`reader-${n}`));
        assert.equal((await ok(reader, "blog:get", { postId: post.id })).likes, expected, `blog:get on node ${n}`);
      }
      for (const w of watchers) {
        await until_count(w, post.id, expected);
        const seen = counts_seen(w, post.id);
        const peak = seen.indexOf(LIKERS);
        for (let i = 1; i <= peak; i++) assert.ok(seen[i] > seen[i - 1], `${w.user} rising: ${seen[i - 1]} then ${seen[i]}`);
        for (let i = peak + 1; i < seen.length; i++)
          assert.ok(seen[i] < seen[i - 1], `${w.user} falling: ${seen[i - 1]} then ${seen[i]}`);
        assert.equal(seen.at(-1), expected, `${w.user}'s last count`);
      }
    });

    it("pushes posts, edits and comments to watchers on the other node", async (t) => {
      const alice = await users_for(t, pair.a).connect(unique("alice"));
      const on_b = users_for(t, pair.b);
      const feed_b = await on_b.connect(unique("feed"));
      await ok(feed_b, "blog:watch_feed");

      const post = await ok(alice, "blog:create", { title: "from node a", body: "hello b" });
      assert.equal((await feed_b.inbox.next("blog:post", { where: ([p]) => p.id === post.id }))[0].title, "from node a");

      const bob = await on_b.connect(unique("bob"));
      await ok(bob, "blog:watch", { postId: post.id });
      await ok(alice, "blog:watch", { postId: post.id });
      const edited = await ok(alice, "blog:edit", { postId: post.id, title: "edited on a" });
      for (const w of [feed_b, bob])
        assert.equal((await w.inbox.next("blog:post_edited", { where: ([p]) => p.id === post.id }))[0].title, edited.title);

      const comment = await ok(bob, "blog:comment", { postId: post.id, body: "from node b" });
      assert.deepEqual((await alice.inbox.next("blog:comment"))[0], comment);
      const reply = await ok(alice, "blog:comment", { postId: post.id, parentId: comment.id, body: "answered on a" });
      assert.deepEqual((await bob.inbox.next("blog:comment"))[0], reply);
      await ok(bob, "blog:comment_edit", { commentId: comment.id, body: "edited on b" });
      assert.equal((await alice.inbox.next("blog:comment_edited"))[0].body, "edited on b");
      await ok(alice, "blog:comment_delete", { commentId: comment.id });
      assert.deepEqual((await bob.inbox.next("blog:comment_deleted"))[0], { id: comment.id, postId: post.id });

      await ok(bob, "blog:like", { postId: post.id });
      for (const w of [alice, bob, feed_b]) await until_count(w, post.id, 1);

      await ok(alice, "blog:delete", { postId: post.id });
      for (const w of [feed_b, bob]) await w.inbox.next("blog:post_deleted", { where: ([p]) => p.postId === post.id });
    });

    it("ranks alike on both nodes after likes on both, each watcher told once a change", { timeout: 120_000 }, async (t) => {
      const on = [users_for(t, pair.a), users_for(t, pair.b)];
      const watchers = [];
      for (const users of on)
        for (let i = 0; i < 2; i++) {
          const w = await users.connect(unique("ranker"));
          await ok(w, "blog:watch_ranking");
          watchers.push(w);
        }
      const writer = await on[1].connect(unique("writer"));
      // More likes than any post of the tests before, so the ranking's top changes.
      const wanted = [LIKERS + 3, LIKERS + 1, LIKERS + 2];
      const posts = [];
      for (const [i] of wanted.entries()) posts.push(await ok(writer, "blog:create", { title: `ranked ${i}`, body: "." }));
      const fans = [];
      for (let i = 0; i < Math.max(...wanted); i += 25)
        fans.push(...(await Promise.all(Array.from({ length: 25 }, (_, j) => on[(i + j) % 2].connect(unique("fan"), { timeout: 20_000 })))));
      await Promise.all(posts.flatMap((post, p) =>
        fans.slice(0, wanted[p]).map((fan) => ok(fan, "blog:like", { postId: post.id }))));

      const read = await Promise.all(on.map(async (users) => ok(await users.connect(unique("reader")), "blog:ranking")));
      assert.deepEqual(read[1], read[0], "blog:ranking reads the same on both nodes");
      assert.deepEqual(read[0].posts.slice(0, 3).map((p) => [p.id, p.likes]),
        [[posts[0].id, wanted[0]], [posts[2].id, wanted[2]], [posts[1].id, wanted[1]]]);
      const final = ranking_key(read[0]);
      for (const w of watchers) {
        await until(() => w.inbox.all("blog:ranking").some(([r]) => ranking_key(r) === final),
          `${w.user} pushed the final ranking`, 60_000);
        const pushed = w.inbox.all("blog:ranking").map(([r]) => ranking_key(r));
        for (let i = 1; i < pushed.length; i++) assert.notEqual(pushed[i], pushed[i - 1], `${w.user}: a push repeated the ranking`);
        assert.equal(pushed.at(-1), final, `${w.user}'s last ranking`);
      }
    });
  });
}
