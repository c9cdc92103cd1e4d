// 100 real clients liking and unliking one post at once, on SQLite and PostgreSQL:
// the count every answer, every watcher and the post's row give must agree with the
// likes the database holds, and each watcher's pushes must walk the count one step at
// a time in commit order, ending on the final value.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { POLLING, db_number, ok, users_for } from "./social_helpers.mjs";

const LIKERS = 100;
const WATCHERS = 4;

for (const database of databases()) {
  describe(`blog likes under concurrency on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({ database, plugins: [{ name: "blog" }] });
    });
    after(() => d?.stop());

    it(`${LIKERS} clients like and unlike one post at once`, { timeout: 120_000 }, async (t) => {
      const users = users_for(t, d);
      const author = await users.connect(unique("author"));
      const post = await ok(author, "blog:create", { title: "popular", body: "everyone likes this" });
      const watchers = [];
      for (let i = 0; i < WATCHERS; i++) {
        // One watcher on long-polling: pushes batch differently there.
        const w = await users.connect(unique("watcher"), { options: i === 0 ? POLLING : undefined });
        await ok(w, "blog:watch", { postId: post.id });
        watchers.push(w);
      }
      const likers = [];
      for (let i = 0; i < LIKERS; i += 20)
        likers.push(...(await Promise.all(Array.from({ length: 20 }, () => users.connect(unique("liker"), { timeout: 20_000 })))));

      // Every liker toggles at once; the odd ones toggle back (unlike) right after,
      // racing the others' likes; the even ones also repeat an explicit like, which
      // must change nothing.
      let changes = 0;
      const finals = await Promise.all(likers.map(async (liker, i) => {
        const first = await ok(liker, "blog:like", { postId: post.id });
        assert.equal(first.liked, true);
        changes++;
        if (i % 2 === 1) {
          const second = await ok(liker, "blog:like", { postId: post.id });
          assert.equal(second.liked, false);
          changes++;
          return second;
        }
        const again = await ok(liker, "blog:like", { postId: post.id, liked: true });
        assert.equal(again.liked, true);
        return again;
      }));
      const expected = LIKERS / 2;

      const stored_rows = await db_number(d, `SELECT COUNT(*) FROM blog_likes WHERE post_id = ${post.id}`);
      const stored_count = await db_number(d, `SELECT like_count FROM blog_posts WHERE id = ${post.id}`);
      assert.equal(stored_rows, expected, "like rows in the database");
      assert.equal(stored_count, expected, "the post's count equals its like rows");
      assert.equal((await ok(author, "blog:get", { postId: post.id })).likes, expected);
      assert.ok(finals.every((r) => r.likes >= 0 && r.likes <= LIKERS));

      // Each change is pushed once, in commit order: the watcher sees them all, each
      // one step from the previous, the last one the final count.
      for (const w of watchers) {
        const seen = [];
        for (let i = 0; i < changes; i++) seen.push((await w.inbox.next("blog:likes", { timeout: 20_000 }))[0].likes);
        for (let i = 1; i < seen.length; i++)
          assert.equal(Math.abs(seen[i] - seen[i - 1]), 1, `${w.user}: ${seen[i - 1]} then ${seen[i]}`);
        assert.equal(seen[0], 1);
        assert.equal(seen.at(-1), expected, `${w.user}'s last count`);
        // Nothing after the last change.
        await ok(w, "blog:get", { postId: post.id });
        assert.equal(w.inbox.all("blog:likes").length, changes);
      }
    });
  });
}
