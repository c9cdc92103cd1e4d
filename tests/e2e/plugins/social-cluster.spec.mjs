// The social graph (#14) on two nodes over Redis sharing one database, SQLite and
// PostgreSQL, with real socket.io-client users on both nodes: follows and their
// counts, friend requests (two users asking each other at the same moment from
// different nodes end friends, once), blocks made on one node refusing on the other,
// a private account's approvals, each told to the devices on the other node, and
// presence taken back on every node when the friendship behind it ends.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { api_with_key, until } from "../support/cluster.mjs";
import { databases } from "../support/deployment.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { API_KEY, db_number, ok, refused, user_on_both, users_for } from "./social_helpers.mjs";

const api = api_with_key(API_KEY);

// How many sockets of the cluster are in `room`, as node `node` counts them.
async function sockets_in(node, room) {
  const answer = await api(node, "GET", `/api/rooms/${encodeURIComponent(room)}/count`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body.sockets;
}

// The presence updates about `user` that `device` received so far.
const updates_about = (device, user) => device.inbox.all("presence:update").filter(([u]) => u.userId === user);

const CROSSING_PAIRS = 12;

for (const database of databases()) {
  describe(`social on two nodes over Redis, ${database}`, { skip: !redis_available() && "no Redis" }, () => {
    let pair;
    before(async () => {
      pair = await start_node_pair({ database, plugins: [{ name: "social" }] });
    });
    after(() => pair?.stop());

    it("follows across nodes: the followed user's devices on both told, counts alike on both", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const [alice, alice_b] = await user_on_both(on_a, on_b, "alice");
      const [bob, bob_a] = await user_on_both(on_b, on_a, "bob");

      assert.deepEqual(await ok(alice, "social:follow", { userId: bob.user }),
        { userId: bob.user, status: "following", created: true });
      for (const device of [bob, bob_a]) assert.deepEqual((await device.inbox.next("social:followed"))[0], { userId: alice.user });
      const seen_by_alice = await ok(alice_b, "social:profile", { userId: bob.user });
      assert.deepEqual([seen_by_alice.counts.followers, seen_by_alice.relation.following], [1, "active"]);
      assert.equal((await ok(bob_a, "social:profile", { userId: alice.user })).relation.followedBy, "active");
      assert.deepEqual((await ok(bob_a, "social:followers")).users.map((u) => u.userId), [alice.user]);

      assert.equal((await ok(alice_b, "social:unfollow", { userId: bob.user })).removed, true);
      for (const device of [bob, bob_a]) assert.equal((await ok(device, "social:profile")).counts.followers, 0);
    });

    it(`${CROSSING_PAIRS} pairs asking each other at the same moment from different nodes end friends`, async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const pairs = await Promise.all(Array.from({ length: CROSSING_PAIRS }, async () =>
        [await on_a.connect(unique("x")), await on_b.connect(unique("y"))]));
      const answers = await Promise.all(pairs.map(([x, y]) => Promise.all([
        ok(x, "social:friend_request", { userId: y.user }),
        ok(y, "social:friend_request", { userId: x.user }),
      ])));
      for (const [i, [x, y]] of pairs.entries()) {
        // One of them asked, the other's asking said yes: never two crossing requests.
        assert.deepEqual(answers[i].map((r) => r.status).sort(), ["friends", "sent"], `${x.user} and ${y.user}: ${JSON.stringify(answers[i])}`);
        const requests = await db_number(pair.a, `SELECT COUNT(*) FROM social_friend_requests WHERE from_id IN ('${x.user}', '${y.user}')`);
        assert.equal(requests, 0, "no request left");
        for (const [me, other] of [[x, y], [y, x]]) {
          const { relation } = await ok(me, "social:profile", { userId: other.user });
          assert.deepEqual([relation.friends, relation.friendRequest], [true, null], `${me.user} sees ${other.user}`);
        }
        // The one whose request stood is told the other's asking accepted it.
        const first = answers[i][0].status === "sent" ? x : y;
        assert.deepEqual((await first.inbox.next("social:friend_request_accepted"))[0],
          { from: first.user, to: (first === x ? y : x).user });
      }
    });

    it("tells every friend-request step to both users' devices on both nodes", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const [carol, carol_b] = await user_on_both(on_a, on_b, "carol");
      const [dave, dave_a] = await user_on_both(on_b, on_a, "dave");
      const between = { from: carol.user, to: dave.user };

      await ok(carol, "social:friend_request", { userId: dave.user });
      for (const device of [dave, dave_a]) assert.deepEqual((await device.inbox.next("social:friend_request_received"))[0], between);
      assert.deepEqual((await carol_b.inbox.next("social:friend_request_sent"))[0], between);
      await ok(carol_b, "social:friend_cancel", { userId: dave.user });
      for (const device of [dave, dave_a, carol]) assert.deepEqual((await device.inbox.next("social:friend_request_cancelled"))[0], between);

      await ok(carol, "social:friend_request", { userId: dave.user });
      await ok(dave, "social:friend_reject", { userId: carol.user });
      for (const device of [carol, carol_b, dave_a]) assert.deepEqual((await device.inbox.next("social:friend_request_rejected"))[0], between);

      await ok(carol_b, "social:friend_request", { userId: dave.user });
      await ok(dave_a, "social:friend_accept", { userId: carol.user });
      for (const device of [carol, carol_b, dave]) assert.deepEqual((await device.inbox.next("social:friend_request_accepted"))[0], between);
      assert.deepEqual((await ok(carol_b, "social:friends")).users.map((u) => u.userId), [dave.user]);

      await ok(dave, "social:unfriend", { userId: carol.user });
      for (const device of [carol, carol_b, dave_a])
        assert.deepEqual((await device.inbox.next("social:friendship_ended"))[0], { from: dave.user, to: carol.user });
      assert.equal((await ok(carol, "social:profile")).counts.friends, 0);
    });

    it("refuses on one node as soon as a block is made on the other, and ends the relations", async (t) => {
      const erin = await users_for(t, pair.a).connect(unique("erin"));
      const on_b = users_for(t, pair.b);
      const frank = await on_b.connect(unique("frank"));
      const erin_b = await on_b.connect(erin.user);
      await ok(frank, "social:follow", { userId: erin.user });
      await ok(frank, "social:friend_request", { userId: erin.user });
      await ok(erin, "social:friend_accept", { userId: frank.user });

      const blocked = await ok(erin, "social:block", { userId: frank.user });
      assert.equal(blocked.endedFriendship, true);
      assert.deepEqual((await erin_b.inbox.next("social:friendship_ended"))[0], { from: erin.user, to: frank.user });
      for (const [event, payload] of [["social:follow", { userId: erin.user }], ["social:friend_request", { userId: erin.user }],
        ["social:profile", { userId: erin.user }], ["social:followers", { userId: erin.user }]])
        assert.equal(await refused(frank, event, payload), "forbidden", event);
      assert.deepEqual((await ok(frank, "social:profile")).counts, { followers: 0, following: 0, friends: 0 });
      assert.equal(frank.inbox.all("social:friendship_ended").length, 0, "the blocked user is told nothing");

      await ok(erin_b, "social:unblock", { userId: frank.user });
      assert.equal((await ok(frank, "social:follow", { userId: erin.user })).status, "following");
    });

    it("asks a private account on one node for approval from the other", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const [grace, grace_b] = await user_on_both(on_a, on_b, "grace");
      const [heidi, heidi_a] = await user_on_both(on_b, on_a, "heidi");
      await ok(grace, "social:privacy", { private: true });

      assert.equal((await ok(heidi, "social:follow", { userId: grace.user })).status, "requested");
      for (const device of [grace, grace_b]) assert.deepEqual((await device.inbox.next("social:follow_requested"))[0], { userId: heidi.user });
      assert.equal(await refused(heidi_a, "social:followers", { userId: grace.user }), "forbidden");
      assert.deepEqual((await ok(grace_b, "social:follow_requests")).users.map((u) => u.userId), [heidi.user]);

      await ok(grace_b, "social:approve", { userId: heidi.user });
      for (const device of [heidi, heidi_a]) assert.deepEqual((await device.inbox.next("social:follow_approved"))[0], { userId: grace.user });
      assert.deepEqual((await grace.inbox.next("social:followed"))[0], { userId: heidi.user });
      assert.equal((await ok(heidi_a, "social:followers", { userId: grace.user })).counts.followers, 1);
    });
  });

  describe(`presence for friends only on two nodes over Redis, ${database}`, { skip: !redis_available() && "no Redis" }, () => {
    let pair;
    before(async () => {
      pair = await start_node_pair({
        database,
        plugins: [{ name: "social", config: { presence_visibility: "friends" } }, { name: "presence" }],
        extra: { api: { keys: [API_KEY] } },
      });
    });
    after(() => pair?.stop());

    it("takes a friend's subscriptions back on every node when the friendship ends", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const alice = await on_a.connect(unique("alice"));
      const [bob, bob_a] = await user_on_both(on_b, on_a, "bob");
      const carol = await on_b.connect(unique("carol"));
      for (const friend of [bob, carol]) {
        await ok(alice, "social:friend_request", { userId: friend.user });
        await ok(friend, "social:friend_accept", { userId: alice.user });
      }
      for (const watcher of [bob, bob_a, carol])
        assert.deepEqual((await ok(watcher, "presence:subscribe", { userIds: [alice.user] })).denied, []);
      const room = `presence:user:${alice.user}`;
      await until(async () => (await sockets_in(pair.b, room)) === 3, "three watchers of alice");
      await ok(alice, "presence:set", { status: "away" });
      for (const watcher of [bob, bob_a, carol])
        await watcher.inbox.next("presence:update", { where: ([u]) => u.userId === alice.user && u.status === "away" });

      const seen = [bob, bob_a].map((device) => updates_about(device, alice.user).length);
      await ok(alice, "social:unfriend", { userId: bob.user });
      // Bob's sockets leave on both nodes: his device on a here, his device on b there.
      await until(async () => (await sockets_in(pair.a, room)) === 1, "only carol watching alice");
      await ok(alice, "presence:set", { status: "busy" });
      await carol.inbox.next("presence:update", { where: ([u]) => u.userId === alice.user && u.status === "busy" });
      for (const [i, device] of [bob, bob_a].entries()) {
        // An ack on the same socket comes after anything the server wrote to it before.
        await ok(device, "presence:count");
        assert.deepEqual(updates_about(device, alice.user).slice(seen[i]), [], `${device.user} still hears alice`);
      }
    });
  });
}
