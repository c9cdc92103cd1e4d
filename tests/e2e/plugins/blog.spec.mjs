// The blog plugin with real socket.io-client users, on SQLite and PostgreSQL: posts
// (create, edit by the author within the window, delete), the feed, likes and their
// live counts, views, comments and replies, notifications to authors through the
// notifications plugin, the ranking (read and pushed), posts from the backend through
// the server API's POST /api/publish, and payloads that must be refused without harm.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { API_KEY, POLLING, db_exec, db_number, metric, ok, publish, refused, users_for } from "./social_helpers.mjs";

async function new_post(device, title = unique("title"), body = "a body") {
  return ok(device, "blog:create", { title, body });
}

for (const database of databases()) {
  describe(`blog on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [
          { name: "blog", config: { ranking_interval: 100, ranking_size: 3 } },
          { name: "notifications" },
        ],
        extra: { api: { keys: [API_KEY] } },
      });
    });
    after(() => d?.stop());

    it("publishes a post to the feed's watchers, not back to its author's socket", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const reader = await users.connect(unique("reader"), { options: POLLING });
      const feed = await ok(reader, "blog:watch_feed", {});
      assert.ok(Array.isArray(feed.posts));
      await ok(alice, "blog:watch_feed");
      const post = await new_post(alice, "Hello world", "first post\nwith two lines");
      assert.equal(typeof post.id, "number");
      assert.deepEqual(
        { ...post, id: 0, createdAt: 0 },
        { id: 0, author: alice.user, title: "Hello world", body: "first post\nwith two lines", likes: 0, comments: 0,
          views: 0, createdAt: 0, editedAt: null },
      );
      const [pushed] = await reader.inbox.next("blog:post", { where: ([p]) => p.id === post.id });
      assert.deepEqual(pushed, post);
      // Alice's own request comes after the push on her connection: had it been sent
      // to her, it would be in her inbox by now.
      await ok(alice, "blog:get", { postId: post.id });
      assert.equal(alice.inbox.all("blog:post").filter(([p]) => p.id === post.id).length, 0);

      const listed = await ok(reader, "blog:list", { author: alice.user });
      assert.deepEqual(listed.posts.map((p) => p.id), [post.id]);
      assert.equal(listed.hasMore, false);
    });

    it("pages the feed newest first", async (t) => {
      const users = users_for(t, d);
      const author = await users.connect(unique("pager"));
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await new_post(author, `post ${i}`)).id);
      const first = await ok(author, "blog:list", { author: author.user, limit: 2 });
      assert.deepEqual(first.posts.map((p) => p.id), [ids[4], ids[3]]);
      assert.equal(first.hasMore, true);
      const last = await ok(author, "blog:list", { author: author.user, limit: 3, before: ids[2] });
      assert.deepEqual(last.posts.map((p) => p.id), [ids[1], ids[0]]);
      assert.equal(last.hasMore, false);
    });

    it("lets only the author edit and delete, and tells watchers", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const mallory = await users.connect(unique("mallory"));
      const post = await new_post(alice);
      await ok(mallory, "blog:watch", { postId: post.id });

      assert.equal(await refused(mallory, "blog:edit", { postId: post.id, title: "mine now" }), "forbidden");
      assert.equal(await refused(mallory, "blog:delete", { postId: post.id }), "forbidden");
      assert.equal(await refused(alice, "blog:edit", { postId: post.id }), "invalid_payload");

      const edited = await ok(alice, "blog:edit", { postId: post.id, body: "better body" });
      assert.equal(edited.title, post.title);
      assert.equal(edited.body, "better body");
      assert.equal(typeof edited.editedAt, "number");
      const [pushed] = await mallory.inbox.next("blog:post_edited");
      assert.deepEqual(pushed, edited);

      assert.deepEqual(await ok(alice, "blog:delete", { postId: post.id }), { postId: post.id });
      const [gone] = await mallory.inbox.next("blog:post_deleted");
      assert.deepEqual(gone, { postId: post.id });
      for (const [event, payload] of [
        ["blog:get", { postId: post.id }],
        ["blog:like", { postId: post.id }],
        ["blog:comment", { postId: post.id, body: "late" }],
        ["blog:watch", { postId: post.id }],
        ["blog:edit", { postId: post.id, title: "again" }],
        ["blog:delete", { postId: post.id }],
      ])
        assert.equal(await refused(alice, event, payload), "not_found", event);
    });

    it("toggles likes, counts each user once, pushes counts and notifies the author", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const watcher = await users.connect(unique("watcher"));
      await alice.inbox.next("notification:unread");
      const post = await new_post(alice);
      const watched = await ok(watcher, "blog:watch", { postId: post.id });
      assert.equal(watched.post.likes, 0);
      assert.equal(watched.post.liked, false);

      assert.deepEqual(await ok(bob, "blog:like", { postId: post.id }), { postId: post.id, liked: true, likes: 1 });
      assert.deepEqual((await watcher.inbox.next("blog:likes"))[0], { postId: post.id, likes: 1 });
      const [note] = await alice.inbox.next("notification:new");
      assert.equal(note.notification.type, "blog.like");
      assert.deepEqual(note.notification.data, { postId: post.id, user: bob.user });

      // Idempotent when explicit: nothing changes, nothing is pushed.
      assert.deepEqual(await ok(bob, "blog:like", { postId: post.id, liked: true }), { postId: post.id, liked: true, likes: 1 });
      assert.equal((await ok(bob, "blog:get", { postId: post.id })).liked, true);
      // Her own like: counted, pushed, but no notification to herself.
      assert.equal((await ok(alice, "blog:like", { postId: post.id })).likes, 2);
      assert.deepEqual((await watcher.inbox.next("blog:likes"))[0], { postId: post.id, likes: 2 });
      assert.deepEqual(await ok(bob, "blog:like", { postId: post.id }), { postId: post.id, liked: false, likes: 1 });
      assert.deepEqual((await watcher.inbox.next("blog:likes"))[0], { postId: post.id, likes: 1 });
      assert.deepEqual(await ok(bob, "blog:like", { postId: post.id, liked: false }), { postId: post.id, liked: false, likes: 1 });
      await ok(alice, "blog:get", { postId: post.id });
      assert.equal(alice.inbox.all("notification:new").length, 1);
      assert.equal(watcher.inbox.all("blog:likes").length, 3);
      assert.equal(await db_number(d, `SELECT like_count FROM blog_posts WHERE id = ${post.id}`), 1);
      assert.equal(await db_number(d, `SELECT COUNT(*) FROM blog_likes WHERE post_id = ${post.id}`), 1);

      await ok(watcher, "blog:unwatch", { postId: post.id });
      await ok(bob, "blog:like", { postId: post.id });
      await ok(watcher, "blog:get", { postId: post.id });
      assert.equal(watcher.inbox.all("blog:likes").length, 3, "no push after unwatch");
    });

    it("counts a view once per user", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const post = await new_post(alice);
      assert.deepEqual(await ok(bob, "blog:view", { postId: post.id }), { postId: post.id, views: 1 });
      assert.deepEqual(await ok(bob, "blog:view", { postId: post.id }), { postId: post.id, views: 1 });
      assert.deepEqual(await ok(alice, "blog:view", { postId: post.id }), { postId: post.id, views: 2 });
      assert.equal((await ok(bob, "blog:get", { postId: post.id })).views, 2);
    });

    it("threads comments and replies, notifies, lets authors edit and moderate", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const carol = await users.connect(unique("carol"));
      for (const u of [alice, bob]) await u.inbox.next("notification:unread");
      const post = await new_post(alice);
      await ok(alice, "blog:watch", { postId: post.id });

      const comment = await ok(bob, "blog:comment", { postId: post.id, body: "nice post" });
      assert.deepEqual({ ...comment, id: 0, createdAt: 0 },
        { id: 0, postId: post.id, parentId: null, author: bob.user, body: "nice post", createdAt: 0, editedAt: null });
      assert.deepEqual((await alice.inbox.next("blog:comment"))[0], comment);
      assert.equal((await alice.inbox.next("notification:new"))[0].notification.type, "blog.comment");

      const reply = await ok(carol, "blog:comment", { postId: post.id, parentId: comment.id, body: "agreed" });
      assert.equal(reply.parentId, comment.id);
      assert.equal((await bob.inbox.next("notification:new"))[0].notification.type, "blog.reply");
      assert.equal((await alice.inbox.next("notification:new"))[0].notification.type, "blog.comment");

      // A reply must stay on its parent's post.
      const other = await new_post(alice);
      assert.equal(await refused(carol, "blog:comment", { postId: other.id, parentId: comment.id, body: "x" }), "not_found");

      assert.equal(await refused(carol, "blog:comment_edit", { commentId: comment.id, body: "hijack" }), "forbidden");
      assert.equal(await refused(carol, "blog:comment_delete", { commentId: comment.id }), "forbidden");
      const edited = await ok(bob, "blog:comment_edit", { commentId: comment.id, body: "very nice post" });
      assert.deepEqual((await alice.inbox.next("blog:comment_edited"))[0], edited);

      const page = await ok(carol, "blog:comments", { postId: post.id, limit: 1 });
      assert.deepEqual(page.comments.map((c) => c.id), [reply.id]);
      assert.equal(page.hasMore, true);
      const rest = await ok(carol, "blog:comments", { postId: post.id, before: reply.id });
      assert.deepEqual(rest.comments.map((c) => [c.id, c.body]), [[comment.id, "very nice post"]]);
      assert.equal((await ok(carol, "blog:get", { postId: post.id })).comments, 2);

      // The post's author moderates the comments under it.
      assert.deepEqual(await ok(alice, "blog:comment_delete", { commentId: reply.id }), { id: reply.id, postId: post.id });
      assert.equal(await refused(carol, "blog:comment_edit", { commentId: reply.id, body: "back" }), "not_found");
      assert.deepEqual((await ok(bob, "blog:comments", { postId: post.id })).comments.map((c) => c.id), [comment.id]);
      assert.equal((await ok(bob, "blog:get", { postId: post.id })).comments, 1);
    });

    it("ranks by likes and pushes only when the top changes", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const fans = [];
      for (let i = 0; i < 3; i++) fans.push(await users.connect(unique("fan")));
      const watcher = await users.connect(unique("watcher"));
      const posts = [];
      for (let i = 0; i < 3; i++) posts.push(await new_post(alice, `ranked ${i}`));
      // Likes far above the other tests' posts: these three are the top 3.
      const base = await ok(watcher, "blog:watch_ranking");
      assert.equal(base.mode, "likes");
      assert.ok(base.posts.length <= 3);
      const boost = [];
      for (let i = 0; i < 12; i++) boost.push(await users.connect(unique("booster")));
      await Promise.all(boost.map((u) => ok(u, "blog:like", { postId: posts[0].id })));
      await Promise.all(boost.slice(0, 11).map((u) => ok(u, "blog:like", { postId: posts[1].id })));
      await Promise.all(boost.slice(0, 10).map((u) => ok(u, "blog:like", { postId: posts[2].id })));
      const expected = [[posts[0].id, 12], [posts[1].id, 11], [posts[2].id, 10]];
      const [pushed] = await watcher.inbox.next("blog:ranking", {
        where: ([r]) => JSON.stringify(r.posts.map((p) => [p.id, p.likes])) === JSON.stringify(expected),
      });
      assert.deepEqual(pushed.posts.map((p) => p.rank), [1, 2, 3]);
      assert.equal(pushed.posts[0].title, "ranked 0");
      const read = await ok(fans[0], "blog:ranking");
      assert.deepEqual(read.posts.map((p) => [p.id, p.likes]), expected);

      // Two more likes on the third: it overtakes the second.
      await ok(fans[0], "blog:like", { postId: posts[2].id });
      await ok(fans[1], "blog:like", { postId: posts[2].id });
      const [moved] = await watcher.inbox.next("blog:ranking", {
        where: ([r]) => r.posts[1]?.id === posts[2].id && r.posts[1].likes === 12,
      });
      assert.deepEqual(moved.posts.map((p) => p.id), [posts[0].id, posts[2].id, posts[1].id]);
      // A like below the top (a new post's first) changes nothing visible: the next
      // push, if any, is for the change after it.
      const quiet = await new_post(alice);
      await ok(fans[2], "blog:like", { postId: quiet.id });
      await ok(fans[2], "blog:like", { postId: posts[1].id });
      const [last] = await watcher.inbox.next("blog:ranking", {
        where: ([r]) => r.posts.some((p) => p.id === posts[1].id && p.likes === 12),
      });
      assert.ok(!last.posts.some((p) => p.id === quiet.id));
      const all = watcher.inbox.all("blog:ranking").map(([r]) => JSON.stringify(r.posts.map((p) => [p.id, p.likes])));
      for (let i = 1; i < all.length; i++) assert.notEqual(all[i], all[i - 1], "a push repeated the ranking");
    });

    it("creates posts from the backend (POST /api/publish) with the same checks", async (t) => {
      const users = users_for(t, d);
      const reader = await users.connect(unique("reader"));
      await ok(reader, "blog:watch_feed");
      const rejected = await metric(d, "switchboard_plugin_blog_bus_rejected");
      const title = unique("from the backend");
      await publish(d, "blog:create", { author: "editorial", title: "x".repeat(201), body: "b" });
      await publish(d, "blog:create", { title: "no author", body: "b" });
      await publish(d, "blog:create", { author: "editorial", title, body: "from the CMS" });
      const [post] = await reader.inbox.next("blog:post", { where: ([p]) => p.title === title });
      assert.equal(post.author, "editorial");
      assert.equal(post.body, "from the CMS");
      // The bus delivers on the handler pool, maybe out of order: wait for the count.
      for (let tries = 0; (await metric(d, "switchboard_plugin_blog_bus_rejected")) < rejected + 2; tries++) {
        assert.ok(tries < 100, "the two refused bus posts were not counted");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(reader.inbox.all("blog:post").length, 1, "refused bus posts reach nobody");
    });

    it("refuses bad payloads with invalid_payload, storing nothing", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const post = await new_post(alice);
      const cases = [
        ["blog:create", undefined],
        ["blog:create", "a string"],
        ["blog:create", { body: "no title" }],
        ["blog:create", { title: "no body" }],
        ["blog:create", { title: 42, body: "b" }],
        ["blog:create", { title: "   ", body: "b" }],
        ["blog:create", { title: "two\nlines", body: "b" }],
        ["blog:create", { title: "x".repeat(201), body: "b" }],
        ["blog:create", { title: "huge", body: "x".repeat(20001) }],
        ["blog:create", { title: "huge", body: "y".repeat(500000) }],
        ["blog:create", { title: "nul", body: "a\u0000b" }],
        ["blog:like", { postId: "1" }],
        ["blog:like", { postId: 1.5 }],
        ["blog:like", { postId: -1 }],
        ["blog:like", {}],
        ["blog:like", { postId: post.id, liked: "yes" }],
        ["blog:comment", { postId: post.id }],
        ["blog:comment", { postId: post.id, body: "x".repeat(1001) }],
        ["blog:comment", { postId: post.id, body: ["array"] }],
        ["blog:comment", { postId: post.id, body: "ok", parentId: "7" }],
        ["blog:comments", { postId: post.id, limit: 101 }],
        ["blog:list", { limit: 0 }],
        ["blog:list", { author: 5 }],
        ["blog:edit", { postId: post.id, title: "" }],
        ["blog:view", null],
      ];
      for (const [event, payload] of cases)
        assert.equal(await refused(alice, event, payload), "invalid_payload", `${event} ${JSON.stringify(payload)?.slice(0, 60)}`);
      assert.equal(await refused(alice, "blog:like", { postId: 999999999 }), "not_found");
      // Nothing of the refused posts was stored.
      assert.equal((await ok(alice, "blog:list", { author: alice.user })).posts.length, 1);

      // Without an ack, a refusal arrives as blog:error.
      alice.socket.emit("blog:like", { postId: "nope" });
      const [error] = await alice.inbox.next("blog:error");
      assert.deepEqual({ ...error, message: "" }, { event: "blog:like", code: "invalid_payload", message: "" });
    });

    it("edits only within the edit window", async () => {
      // A deployment whose window is 1 s: the post is created, the window passes.
      const short = await start_deployment({ database, plugins: [{ name: "blog", config: { edit_window: 1 } }] });
      const t = { after: (fn) => cleanups.push(fn) };
      const cleanups = [];
      try {
        const users = users_for(t, short);
        const alice = await users.connect(unique("alice"));
        const post = await new_post(alice);
        const comment = await ok(alice, "blog:comment", { postId: post.id, body: "first" });
        await new Promise((resolve) => setTimeout(resolve, 1100));   // the window's length, not a synchronization
        assert.equal(await refused(alice, "blog:edit", { postId: post.id, title: "late" }), "edit_window_expired");
        assert.equal(await refused(alice, "blog:comment_edit", { commentId: comment.id, body: "late" }), "edit_window_expired");
        // Deleting has no window.
        await ok(alice, "blog:delete", { postId: post.id });
      } finally {
        cleanups.forEach((fn) => fn());
        await short.stop();
      }
    });
  });

  describe(`blog ranking with time decay on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [{ name: "blog", config: { ranking: "decay", ranking_half_life: 24, ranking_max_age: 72, ranking_interval: 100 } }],
      });
    });
    after(() => d?.stop());

    it("weighs an old post's likes down, and drops posts past the maximum age", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const hour = 3600 * 1000;
      // Written by the backend two and four days ago: no client can date a post.
      const now = Date.now();
      await db_exec(d, `INSERT INTO blog_posts (author_id, title, body, like_count, created_at) VALUES ('${alice.user}', 'two days old', 'b', 8, ${now - 48 * hour})`);
      await db_exec(d, `INSERT INTO blog_posts (author_id, title, body, like_count, created_at) VALUES ('${alice.user}', 'four days old', 'b', 100, ${now - 96 * hour})`);
      const fresh = await ok(alice, "blog:create", { title: "fresh", body: "b" });
      const fans = [];
      for (let i = 0; i < 3; i++) fans.push(await users.connect(unique("fan")));
      const watcher = await users.connect(unique("watcher"));
      await ok(watcher, "blog:watch_ranking");
      for (const fan of fans) await ok(fan, "blog:like", { postId: fresh.id });

      // 3 fresh likes (score ~3) beat 8 likes two half-lives old (score ~2); the
      // four-day-old post, past ranking_max_age, is not ranked at all.
      // (At two likes the two posts tie within a rounding: wait for the third.)
      const [pushed] = await watcher.inbox.next("blog:ranking", { where: ([r]) => r.posts[0]?.id === fresh.id && r.posts[0].likes === 3 });
      assert.equal(pushed.mode, "decay");
      assert.deepEqual(pushed.posts.map((p) => p.title), ["fresh", "two days old"]);
      assert.ok(Math.abs(pushed.posts[1].score - 2) < 0.01, `score ${pushed.posts[1].score}`);
      assert.ok(pushed.posts[0].score > 2.99 && pushed.posts[0].score <= 3);
      assert.deepEqual((await ok(alice, "blog:ranking")).posts.map((p) => p.title), ["fresh", "two days old"]);
    });
  });
}
