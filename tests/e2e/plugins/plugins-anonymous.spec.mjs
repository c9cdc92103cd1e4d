// blog, events and social in a namespace open to anonymous sockets: every event that
// acts as a user answers `unauthorized` to a socket without one, and stores nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";
import { ok, refused, users_for } from "./social_helpers.mjs";

describe("blog, events and social with anonymous sockets", () => {
  let d;
  before(async () => {
    d = await start_deployment({
      namespaces: [{ name: "/", anonymous: true }],
      plugins: [{ name: "blog" }, { name: "events", config: { self_participation: true } }, { name: "social" }],
    });
  });
  after(() => d?.stop());

  it("refuses anonymous sockets with unauthorized", async (t) => {
    const users = users_for(t, d);
    const anonymous = await users.connect(null);
    const alice = await users.connect(unique("alice"));
    const post = await ok(alice, "blog:create", { title: "t", body: "b" });
    for (const [event, payload] of [
      ["blog:create", { title: "t", body: "b" }],
      ["blog:like", { postId: post.id }],
      ["blog:get", { postId: post.id }],
      ["blog:list", {}],
      ["blog:watch_feed", {}],
      ["blog:ranking", {}],
      ["events:participate", { eventId: "e1", status: "attending" }],
      ["events:join", { eventId: "e1" }],
      ["events:send", { eventId: "e1", content: "hi" }],
      ["events:typing", { eventId: "e1" }],
      ["social:follow", { userId: alice.user }],
      ["social:followers", { userId: alice.user }],
      ["social:block", { userId: alice.user }],
    ])
      assert.equal(await refused(anonymous, event, payload), "unauthorized", event);
    assert.equal((await ok(alice, "blog:get", { postId: post.id })).likes, 0);
  });
});
