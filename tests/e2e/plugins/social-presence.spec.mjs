// Presence as the social graph allows it: the social plugin authorizes the presence
// plugin's subscriptions (its `presence:user:<id>` rooms) by `presence_visibility`
// (everyone, followers, friends; a block hides presence both ways in every mode), and
// takes a subscription back the moment the relation behind it ends. Real
// socket.io-client users, SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { ok, users_for } from "./social_helpers.mjs";

// Subscribes `device` to `user`: {granted: the states given, denied: [{userId, code}]}.
async function subscribe(device, user) {
  const result = await ok(device, "presence:subscribe", { userIds: [user] });
  return { granted: result.users.map((u) => u.userId), denied: result.denied.map(({ userId, code }) => ({ userId, code })) };
}

// The updates about `user` that `device` received so far (taken or not).
function updates_about(device, user) {
  return device.inbox.all("presence:update").filter(([u]) => u.userId === user);
}

// Nothing about `user` reached `device` since it had `seen` updates about them: an ack
// on the same socket comes after anything the server wrote to it before.
async function heard_nothing_more(device, user, seen) {
  await ok(device, "presence:count");
  assert.deepEqual(updates_about(device, user).slice(seen), [], `${device.user} still hears ${user}`);
}

// The next update about `user` in `status` that `device` receives.
async function next_update(device, user, status) {
  const [update] = await device.inbox.next("presence:update", { where: ([u]) => u.userId === user && u.status === status });
  return update;
}

function deployment(database, visibility) {
  const social = visibility ? { name: "social", config: { presence_visibility: visibility } } : { name: "social" };
  return start_deployment({ database, plugins: [social, { name: "presence" }] });
}

for (const database of databases()) {
  describe(`presence for friends only on ${database}`, () => {
    let d;
    before(async () => { d = await deployment(database, "friends"); });
    after(() => d?.stop());

    it("shows a user's presence to their friends and stops when the friendship ends", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const bob_phone = await users.connect(bob.user);
      const carol = await users.connect(unique("carol"));

      assert.deepEqual(await subscribe(bob, alice.user), { granted: [], denied: [{ userId: alice.user, code: "forbidden" }] });
      assert.deepEqual(await subscribe(alice, alice.user), { granted: [alice.user], denied: [] }, "one's own presence");

      for (const friend of [bob, carol]) {
        await ok(alice, "social:friend_request", { userId: friend.user });
        await ok(friend, "social:friend_accept", { userId: alice.user });
      }
      // Asked again, now allowed: the same subscription is authorized anew.
      for (const watcher of [bob, bob_phone, carol]) {
        assert.deepEqual(await subscribe(watcher, alice.user), { granted: [alice.user], denied: [] });
      }
      await ok(alice, "presence:set", { status: "away" });
      for (const watcher of [bob, bob_phone, carol]) assert.equal((await next_update(watcher, alice.user, "away")).status, "away");

      const seen = updates_about(bob, alice.user).length;
      const seen_by_phone = updates_about(bob_phone, alice.user).length;
      await ok(alice, "social:unfriend", { userId: bob.user });
      await ok(alice, "presence:set", { status: "busy" });
      assert.equal((await next_update(carol, alice.user, "busy")).status, "busy", "a friend still hears");
      await heard_nothing_more(bob, alice.user, seen);
      await heard_nothing_more(bob_phone, alice.user, seen_by_phone);
      assert.deepEqual(await subscribe(bob, alice.user), { granted: [], denied: [{ userId: alice.user, code: "forbidden" }] });
      // And the other way round: the friendship ended for alice too.
      assert.deepEqual(await subscribe(alice, bob.user), { granted: [], denied: [{ userId: bob.user, code: "forbidden" }] });

      // Friends again: a subscription asked for again is authorized and delivered again,
      // on a device whose earlier one was taken back without it asking.
      await ok(bob, "social:friend_request", { userId: alice.user });
      await ok(alice, "social:friend_accept", { userId: bob.user });
      assert.deepEqual(await subscribe(bob_phone, alice.user), { granted: [alice.user], denied: [] });
      await ok(alice, "presence:set", { status: "online" });
      assert.equal((await next_update(bob_phone, alice.user, "online")).status, "online");
    });
  });

  describe(`presence for followers only on ${database}`, () => {
    let d;
    before(async () => { d = await deployment(database, "followers"); });
    after(() => d?.stop());

    it("shows a user's presence to approved followers and stops when they unfollow", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const carol = await users.connect(unique("carol"));

      assert.deepEqual(await subscribe(bob, alice.user), { granted: [], denied: [{ userId: alice.user, code: "forbidden" }] });
      await ok(bob, "social:follow", { userId: alice.user });
      await ok(carol, "social:follow", { userId: alice.user });
      assert.deepEqual(await subscribe(bob, alice.user), { granted: [alice.user], denied: [] });
      assert.deepEqual(await subscribe(carol, alice.user), { granted: [alice.user], denied: [] });
      // Following is one way: alice does not follow bob.
      assert.deepEqual(await subscribe(alice, bob.user), { granted: [], denied: [{ userId: bob.user, code: "forbidden" }] });

      await ok(alice, "presence:set", { status: "away" });
      assert.equal((await next_update(bob, alice.user, "away")).status, "away");
      const seen = updates_about(bob, alice.user).length;
      await ok(bob, "social:unfollow", { userId: alice.user });
      await ok(alice, "presence:set", { status: "busy" });
      assert.equal((await next_update(carol, alice.user, "busy")).status, "busy");
      await heard_nothing_more(bob, alice.user, seen);
    });

    it("waits for a private account's approval", async (t) => {
      const users = users_for(t, d);
      const owner = await users.connect(unique("private"));
      const fan = await users.connect(unique("fan"));
      await ok(owner, "social:privacy", { private: true });
      assert.equal((await ok(fan, "social:follow", { userId: owner.user })).status, "requested");
      assert.deepEqual(await subscribe(fan, owner.user), { granted: [], denied: [{ userId: owner.user, code: "forbidden" }] });
      await ok(owner, "social:approve", { userId: fan.user });
      assert.deepEqual(await subscribe(fan, owner.user), { granted: [owner.user], denied: [] });
    });
  });

  describe(`presence for everyone but blocked users on ${database}`, () => {
    let d;
    before(async () => { d = await deployment(database, undefined); });
    after(() => d?.stop());

    it("hides presence both ways across a block, and shows it again after the unblock", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const carol = await users.connect(unique("carol"));
      for (const watcher of [bob, carol]) {
        assert.deepEqual(await subscribe(watcher, alice.user), { granted: [alice.user], denied: [] }, "everyone by default");
      }
      assert.deepEqual(await subscribe(alice, bob.user), { granted: [bob.user], denied: [] });

      const seen_by_bob = updates_about(bob, alice.user).length;
      const seen_by_alice = updates_about(alice, bob.user).length;
      await ok(alice, "social:block", { userId: bob.user });
      await ok(alice, "presence:set", { status: "away" });
      assert.equal((await next_update(carol, alice.user, "away")).status, "away");
      await heard_nothing_more(bob, alice.user, seen_by_bob);
      await ok(bob, "presence:set", { status: "busy" });
      await heard_nothing_more(alice, bob.user, seen_by_alice);
      assert.deepEqual(await subscribe(bob, alice.user), { granted: [], denied: [{ userId: alice.user, code: "forbidden" }] });
      assert.deepEqual(await subscribe(alice, bob.user), { granted: [], denied: [{ userId: bob.user, code: "forbidden" }] });

      await ok(alice, "social:unblock", { userId: bob.user });
      assert.deepEqual(await subscribe(bob, alice.user), { granted: [alice.user], denied: [] });
    });
  });
}
