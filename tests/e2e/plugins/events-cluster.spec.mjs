// Event rooms (#14, seed 001) on two nodes over Redis sharing one database, SQLite and
// PostgreSQL, with real socket.io-client users on both nodes: participation changed
// at once from both nodes gives the same attendee counts on both, pushed to every
// joined socket without going back; messages reach participants on the other node and
// never anyone else, also right after a participation ends on another node; a message
// ends its sender's typing shown from another node.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { until } from "../support/cluster.mjs";
import { databases } from "../support/deployment.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { API_KEY, POLLING, db_number, ok, publish, refused, request, users_for } from "./social_helpers.mjs";

const PARTICIPANTS = 30;

// The attendee counts a joined socket was pushed for `event`, in arrival order.
const counts_seen = (device, event) =>
  device.inbox.all("events:attendees").filter(([a]) => a.eventId === event).map(([a]) => a.attendees);

// A participant of `event` (set by the user: self_participation is on) in its room.
async function join(device, event, status = "attending") {
  await ok(device, "events:participate", { eventId: event, status });
  return ok(device, "events:join", { eventId: event });
}

for (const database of databases()) {
  describe(`events on two nodes over Redis, ${database}`, { skip: !redis_available() && "no Redis" }, () => {
    let pair;
    before(async () => {
      pair = await start_node_pair({
        database,
        // Typing is only ever cleared by what the test does, never by the clock.
        plugins: [{ name: "events", config: { self_participation: true, typing_timeout: 60_000 } }],
        extra: { api: { keys: [API_KEY] } },
      });
    });
    after(() => pair?.stop());

    it(`${PARTICIPANTS} users on both nodes taking part at once: counts alike on both, never older`, { timeout: 120_000 }, async (t) => {
      const on = [users_for(t, pair.a), users_for(t, pair.b)];
      const event = unique("evt");
      const watchers = [await on[0].connect(unique("w")), await on[1].connect(unique("w"), { options: POLLING })];
      for (const w of watchers) await join(w, event);
      const users = await Promise.all(Array.from({ length: PARTICIPANTS }, (_, i) => on[i % 2].connect(unique("p"))));
      const wait_for = (attending, interested) => Promise.all(watchers.map((w) =>
        until(() => { const last = counts_seen(w, event).at(-1); return last?.attending === attending && last?.interested === interested; },
          `${w.user} told ${attending} attending, ${interested} interested`, 60_000)));

      await Promise.all(users.map((u) => ok(u, "events:participate", { eventId: event, status: "attending" })));
      await wait_for(PARTICIPANTS + 2, 0);
      // Half stop taking part while the others change to interested.
      await Promise.all(users.map((u, i) => ok(u, "events:participate", { eventId: event, status: i % 2 ? null : "interested" })));
      const expected = { attending: 2, interested: PARTICIPANTS / 2 };
      await wait_for(expected.attending, expected.interested);

      for (const w of watchers) {
        const attending = counts_seen(w, event).map((c) => c.attending);
        const peak = attending.indexOf(PARTICIPANTS + 2);
        for (let i = 1; i < attending.length; i++)
          if (i <= peak) assert.ok(attending[i] >= attending[i - 1], `${w.user} rising: ${attending[i - 1]} then ${attending[i]}`);
          else assert.ok(attending[i] <= attending[i - 1], `${w.user} falling: ${attending[i - 1]} then ${attending[i]}`);
      }
      const read = await Promise.all(watchers.map((w) => ok(w, "events:participants", { eventId: event })));
      for (const r of read) assert.deepEqual(r.attendees, expected);
      const names = (r) => r.participants.map((p) => `${p.userId}:${p.status}`).sort();
      assert.deepEqual(names(read[1]), names(read[0]), "the same participants on both nodes");
      assert.equal(await db_number(pair.a, `SELECT COUNT(*) FROM events_participants WHERE event_id = '${event}'`),
        2 + PARTICIPANTS / 2);
    });

    it("sends to participants on the other node only, and stops at once when one stops taking part elsewhere", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const event = unique("evt");
      const alice = await on_a.connect(unique("alice"));
      const bob = await on_b.connect(unique("bob"));
      const dave = await on_b.connect(unique("dave"));
      const carol = await on_b.connect(unique("carol"));
      for (const device of [alice, bob, dave]) await join(device, event);
      assert.equal(await refused(carol, "events:join", { eventId: event }), "forbidden");

      const first = await ok(alice, "events:send", { eventId: event, content: "hello node b" });
      for (const device of [bob, dave]) assert.deepEqual((await device.inbox.next("events:message"))[0], first);

      // The backend ends bob's participation through node a; bob's socket is on b.
      await publish(pair.a, "events:participation", { eventId: event, userId: bob.user, status: null });
      await bob.inbox.next("events:participation", { where: ([p]) => p.eventId === event && p.status === null });
      assert.deepEqual((await dave.inbox.next("events:user_left"))[0], { eventId: event, userId: bob.user, status: "attending" });
      // Node b has taken bob's socket out once it refuses his typing there.
      await until(async () => (await request(bob, "events:typing", { eventId: event }))[0]?.code === "forbidden",
        "node b taking bob out of the room");

      const second = await ok(alice, "events:send", { eventId: event, content: "only participants" });
      assert.deepEqual((await dave.inbox.next("events:message", { where: ([m]) => m.id === second.id }))[0], second);
      assert.equal(await refused(bob, "events:history", { eventId: event }), "forbidden");
      assert.equal(await refused(bob, "events:send", { eventId: event, content: "still here?" }), "forbidden");
      assert.deepEqual(bob.inbox.all("events:message").map(([m]) => m.id), [first.id], "bob got nothing after he left");
      assert.equal(carol.inbox.all("events:message").length, 0, "an outsider gets nothing");
      await until(() => counts_seen(dave, event).at(-1)?.attending === 2, "dave told 2 attending");
    });

    it("relays typing across nodes and ends it when the typist sends from another node", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const event = unique("evt");
      const erin = await on_a.connect(unique("erin"));
      const erin_b = await on_b.connect(erin.user);
      const frank = await on_b.connect(unique("frank"));
      await join(erin, event);
      await join(frank, event);

      await ok(erin, "events:typing", { eventId: event });
      assert.equal((await frank.inbox.next("events:typing"))[0].userId, erin.user);
      const message = await ok(erin_b, "events:send", { eventId: event, content: "sent from my other device" });
      assert.deepEqual((await frank.inbox.next("events:message"))[0], message);
      assert.deepEqual((await frank.inbox.next("events:stop_typing"))[0], { eventId: event, userId: erin.user });
    });
  });
}
