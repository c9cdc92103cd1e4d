// The social plugin with real socket.io-client users, on SQLite and PostgreSQL:
// follows and their notifications, private accounts (requests, approval, hidden
// lists), friend requests told to both sides (received, sent, accepted, rejected,
// cancelled, ended), blocks (no follow, no request, no profile, relations ended, the
// blocked user told nothing), and payloads that must be refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { ok, refused, users_for } from "./social_helpers.mjs";

for (const database of databases()) {
  describe(`social on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({ database, plugins: [{ name: "social" }, { name: "notifications" }] });
    });
    after(() => d?.stop());

    it("follows, tells and notifies the followed user, lists and counts", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const carol = await users.connect(unique("carol"));
      await bob.inbox.next("notification:unread");

      assert.deepEqual(await ok(alice, "social:follow", { userId: bob.user }), { userId: bob.user, status: "following", created: true });
      assert.deepEqual((await bob.inbox.next("social:followed"))[0], { userId: alice.user });
      const [note] = await bob.inbox.next("notification:new");
      assert.equal(note.notification.type, "social.follow");
      assert.deepEqual(note.notification.data, { userId: alice.user });
      // Idempotent: nothing new, nobody told again.
      assert.deepEqual(await ok(alice, "social:follow", { userId: bob.user }), { userId: bob.user, status: "following", created: false });
      await ok(carol, "social:follow", { userId: bob.user });

      const followers = await ok(carol, "social:followers", { userId: bob.user });
      assert.deepEqual(followers.users.map((u) => u.userId), [alice.user, carol.user].sort());
      assert.deepEqual(followers.counts, { followers: 2, following: 0, friends: 0 });
      const page = await ok(bob, "social:followers", { limit: 1 });
      assert.equal(page.users.length, 1);
      assert.equal(page.hasMore, true);
      const next = await ok(bob, "social:followers", { limit: 1, after: page.users[0].userId });
      assert.equal(next.hasMore, false);
      assert.notEqual(next.users[0].userId, page.users[0].userId);
      assert.deepEqual((await ok(bob, "social:following", { userId: alice.user })).users.map((u) => u.userId), [bob.user]);

      assert.deepEqual(await ok(alice, "social:unfollow", { userId: bob.user }), { userId: bob.user, removed: true });
      assert.deepEqual(await ok(alice, "social:unfollow", { userId: bob.user }), { userId: bob.user, removed: false });
      assert.equal((await ok(alice, "social:profile", { userId: bob.user })).counts.followers, 1);
      assert.equal(bob.inbox.all("social:followed").length, 2);
    });

    it("keeps a private account's lists to its approved followers and asks it first", async (t) => {
      const users = users_for(t, d);
      const priv = await users.connect(unique("private"));
      const fan = await users.connect(unique("fan"));
      const stranger = await users.connect(unique("stranger"));
      const old_friend = await users.connect(unique("old"));
      await ok(old_friend, "social:follow", { userId: priv.user });
      await ok(priv, "social:follow", { userId: fan.user });
      assert.deepEqual(await ok(priv, "social:privacy", { private: true }), { private: true, approved: [] });

      for (const list of ["social:followers", "social:following", "social:friends"])
        assert.equal(await refused(stranger, list, { userId: priv.user }), "forbidden", list);
      // Approved before it went private: still a follower, still sees.
      assert.equal((await ok(old_friend, "social:followers", { userId: priv.user })).users.length, 1);
      // Its counts stay public; who is in them does not.
      assert.equal((await ok(stranger, "social:profile", { userId: priv.user })).counts.followers, 1);

      assert.deepEqual(await ok(fan, "social:follow", { userId: priv.user }), { userId: priv.user, status: "requested", created: true });
      assert.deepEqual((await priv.inbox.next("social:follow_requested"))[0], { userId: fan.user });
      assert.equal(await refused(fan, "social:followers", { userId: priv.user }), "forbidden", "a request is not approval");
      assert.equal((await ok(stranger, "social:followers", { userId: fan.user })).users.length, 1, "a public account's list is open");
      await ok(stranger, "social:follow", { userId: priv.user });
      assert.deepEqual((await ok(priv, "social:follow_requests")).users.map((u) => u.userId), [fan.user, stranger.user].sort());

      assert.equal(await refused(fan, "social:approve", { userId: stranger.user }), "not_found");
      assert.deepEqual(await ok(priv, "social:approve", { userId: fan.user }), { userId: fan.user, status: "following" });
      assert.deepEqual((await fan.inbox.next("social:follow_approved"))[0], { userId: priv.user });
      assert.equal((await ok(fan, "social:followers", { userId: priv.user })).users.length, 2);
      await ok(priv, "social:decline", { userId: stranger.user });
      assert.deepEqual((await stranger.inbox.next("social:follow_declined"))[0], { userId: priv.user });
      assert.equal(await refused(stranger, "social:followers", { userId: priv.user }), "forbidden");

      // Going public approves whoever is still waiting.
      await ok(stranger, "social:follow", { userId: priv.user });
      const opened = await ok(priv, "social:privacy", { private: false });
      assert.deepEqual(opened, { private: false, approved: [stranger.user] });
      await stranger.inbox.next("social:follow_approved");
      assert.equal((await ok(stranger, "social:followers", { userId: priv.user })).counts.followers, 3);
    });

    it("tells both sides of every friend request's step", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const alice_phone = await users.connect(alice.user);
      const bob = await users.connect(unique("bob"));
      const pair = { from: alice.user, to: bob.user };

      assert.deepEqual(await ok(alice, "social:friend_request", { userId: bob.user }), { userId: bob.user, status: "sent" });
      assert.deepEqual((await bob.inbox.next("social:friend_request_received"))[0], pair);
      assert.deepEqual((await alice_phone.inbox.next("social:friend_request_sent"))[0], pair);
      assert.equal((await bob.inbox.next("notification:new", { where: ([n]) => n.notification.type === "social.friend_request" }))[0].notification.data.userId, alice.user);
      const requests = await ok(bob, "social:friend_requests");
      assert.deepEqual(requests.received.map((r) => r.userId), [alice.user]);
      assert.equal(typeof requests.received[0].since, "number");
      assert.deepEqual(requests.sent, []);
      assert.deepEqual((await ok(alice, "social:friend_requests")).sent.map((r) => r.userId), [bob.user]);

      await ok(bob, "social:friend_reject", { userId: alice.user });
      for (const device of [alice, alice_phone]) assert.deepEqual((await device.inbox.next("social:friend_request_rejected"))[0], pair);
      assert.equal(await refused(bob, "social:friend_accept", { userId: alice.user }), "not_found");

      await ok(alice, "social:friend_request", { userId: bob.user });
      await ok(alice_phone, "social:friend_cancel", { userId: bob.user });
      assert.deepEqual((await bob.inbox.next("social:friend_request_cancelled"))[0], pair);
      assert.deepEqual((await alice.inbox.next("social:friend_request_cancelled"))[0], pair);

      await ok(alice, "social:friend_request", { userId: bob.user });
      assert.deepEqual(await ok(bob, "social:friend_accept", { userId: alice.user }), { userId: alice.user, status: "friends" });
      for (const device of [alice, alice_phone]) assert.deepEqual((await device.inbox.next("social:friend_request_accepted"))[0], pair);
      assert.deepEqual((await ok(alice, "social:friends")).users.map((u) => u.userId), [bob.user]);
      assert.deepEqual((await ok(bob, "social:friends")).users.map((u) => u.userId), [alice.user]);
      assert.equal((await ok(bob, "social:friend_request", { userId: alice.user })).status, "friends");
      const profile = await ok(alice, "social:profile", { userId: bob.user });
      assert.deepEqual(profile.relation, { following: null, followedBy: null, friends: true, friendRequest: null, blocked: false });

      assert.deepEqual(await ok(bob, "social:unfriend", { userId: alice.user }), { userId: alice.user, status: null });
      for (const device of [alice, alice_phone]) assert.deepEqual((await device.inbox.next("social:friendship_ended"))[0], { from: bob.user, to: alice.user });
      assert.equal(await refused(bob, "social:unfriend", { userId: alice.user }), "not_found");

      // Asking someone who already asked you is a yes.
      await ok(bob, "social:friend_request", { userId: alice.user });
      assert.deepEqual(await ok(alice, "social:friend_request", { userId: bob.user }), { userId: bob.user, status: "friends" });
      assert.deepEqual((await bob.inbox.next("social:friend_request_accepted"))[0], { from: bob.user, to: alice.user });
    });

    it("makes two users who ask each other at once friends, once", async (t) => {
      const users = users_for(t, d);
      const pairs = [];
      for (let i = 0; i < 10; i++) pairs.push([await users.connect(unique("left")), await users.connect(unique("right"))]);
      const answers = await Promise.all(pairs.flatMap(([a, b]) => [
        ok(a, "social:friend_request", { userId: b.user }),
        ok(b, "social:friend_request", { userId: a.user }),
      ]));
      // Of each pair, one sent and the other's request accepted it.
      for (let i = 0; i < pairs.length; i++)
        assert.deepEqual([answers[2 * i].status, answers[2 * i + 1].status].sort(), ["friends", "sent"]);
      for (const [a, b] of pairs) {
        assert.deepEqual((await ok(a, "social:friends")).users.map((u) => u.userId), [b.user]);
        assert.deepEqual(await ok(b, "social:friend_requests"), { received: [], sent: [] });
      }
    });

    it("blocks: ends every relation, refuses the blocked user everything, tells them nothing", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const mallory = await users.connect(unique("mallory"));
      await ok(alice, "social:follow", { userId: mallory.user });
      await ok(mallory, "social:follow", { userId: alice.user });
      await ok(alice, "social:friend_request", { userId: mallory.user });
      await ok(mallory, "social:friend_accept", { userId: alice.user });
      await alice.inbox.next("social:friend_request_accepted");

      assert.deepEqual(await ok(alice, "social:block", { userId: mallory.user }), { userId: mallory.user, blocked: true, endedFriendship: true });
      for (const [event, payload] of [
        ["social:follow", { userId: alice.user }],
        ["social:friend_request", { userId: alice.user }],
        ["social:followers", { userId: alice.user }],
        ["social:following", { userId: alice.user }],
        ["social:friends", { userId: alice.user }],
        ["social:profile", { userId: alice.user }],
      ])
        assert.equal(await refused(mallory, event, payload), "forbidden", event);
      // Nor the other way round while the block stands.
      assert.equal(await refused(alice, "social:follow", { userId: mallory.user }), "forbidden");
      assert.deepEqual((await ok(mallory, "social:following")).users, []);
      assert.deepEqual((await ok(mallory, "social:friends")).users, []);
      assert.equal((await ok(alice, "social:profile", { userId: mallory.user })).relation.blocked, true);
      assert.deepEqual((await ok(alice, "social:blocks")).users.map((u) => u.userId), [mallory.user]);
      // Mallory's own request comes after anything sent to her before it.
      await ok(mallory, "social:friend_requests");
      for (const event of ["social:friendship_ended", "social:unfollowed", "social:blocked"])
        assert.equal(mallory.inbox.all(event).length, 0, event);

      assert.deepEqual(await ok(alice, "social:unblock", { userId: mallory.user }), { userId: mallory.user, blocked: false, removed: true });
      assert.equal((await ok(mallory, "social:follow", { userId: alice.user })).status, "following");
    });

    it("refuses bad payloads with invalid_payload", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const cases = [
        ["social:follow", undefined],
        ["social:follow", "bob"],
        ["social:follow", {}],
        ["social:follow", { userId: 42 }],
        ["social:follow", { userId: "" }],
        ["social:follow", { userId: "x".repeat(256) }],
        ["social:follow", { userId: alice.user }],
        ["social:friend_request", { userId: alice.user }],
        ["social:block", { userId: ["array"] }],
        ["social:followers", { limit: 0 }],
        ["social:followers", { limit: 101 }],
        ["social:followers", { after: 5 }],
        ["social:privacy", {}],
        ["social:privacy", { private: "yes" }],
        ["social:profile", { userId: "a\u0001b" }],
      ];
      for (const [event, payload] of cases)
        assert.equal(await refused(alice, event, payload), "invalid_payload", `${event} ${JSON.stringify(payload)?.slice(0, 60)}`);
    });
  });
}
