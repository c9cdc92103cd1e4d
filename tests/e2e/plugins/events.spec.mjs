// The events plugin with real socket.io-client users, on SQLite and PostgreSQL: event
// rooms only participants may join, read or send to; participation from the
// backend (the server API's POST /api/publish onto the bus) and, with the
// switch on, from users; user_joined / user_left and live attendee counts; persisted
// messages with chat's rules (empty, length, banned words); typing relayed and
// cleared; nothing of one event reaching another's participants or outsiders.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { API_KEY, POLLING, db_number, ok, publish, refused, users_for } from "./social_helpers.mjs";

const TYPING_TIMEOUT_MS = 400;

// The backend sets a participation; resolves once the user's device was told.
async function participate(d, device, eventId, status) {
  await publish(d, "events:participation", { eventId, userId: device.user, status, userName: `${device.user} name` });
  await device.inbox.next("events:participation", { where: ([p]) => p.eventId === eventId && p.status === status });
}

for (const database of databases()) {
  describe(`events on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [
          { name: "events", config: { banned_words: ["darn"], typing_timeout: TYPING_TIMEOUT_MS } },
        ],
        extra: { api: { keys: [API_KEY] } },
      });
    });
    after(() => d?.stop());

    it("keeps non-participants out of everything, without telling whether the event exists", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const outsider = await users.connect(unique("outsider"));
      const event = unique("evt");
      await participate(d, alice, event, "attending");
      await ok(alice, "events:join", { eventId: event });
      await ok(alice, "events:send", { eventId: event, content: "secret plans" });

      for (const eventId of [event, unique("never-created")]) {
        assert.equal(await refused(outsider, "events:join", { eventId }), "forbidden");
        assert.equal(await refused(outsider, "events:send", { eventId, content: "let me in" }), "forbidden");
        assert.equal(await refused(outsider, "events:history", { eventId }), "forbidden");
        assert.equal(await refused(outsider, "events:participants", { eventId }), "forbidden");
        assert.equal(await refused(outsider, "events:typing", { eventId }), "forbidden");
      }
      // Participation is the organizers' here (self_participation is off).
      assert.equal(await refused(outsider, "events:participate", { eventId: event, status: "attending" }), "forbidden");
      assert.equal((await ok(alice, "events:history", { eventId: event })).messages.length, 1);
      assert.equal(outsider.inbox.all("events:message").length, 0);
    });

    it("announces participants with live attendee counts and lets them talk", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"), { options: POLLING });
      const carol = await users.connect(unique("carol"));
      const event = unique("evt");

      await participate(d, alice, event, "attending");
      const joined = await ok(alice, "events:join", { eventId: event });
      assert.deepEqual(joined, { eventId: event, status: "attending", attendees: { attending: 1, interested: 0 }, messages: [], hasMore: false });

      await participate(d, bob, event, "interested");
      const [arrived] = await alice.inbox.next("events:user_joined");
      assert.deepEqual(arrived, { eventId: event, userId: bob.user, status: "interested", previous: null, user: { id: bob.user, name: `${bob.user} name` } });
      assert.deepEqual((await alice.inbox.next("events:attendees"))[0], { eventId: event, attendees: { attending: 1, interested: 1 } });
      await ok(bob, "events:join", { eventId: event });
      await participate(d, carol, event, "attending");
      assert.deepEqual((await bob.inbox.next("events:attendees"))[0].attendees, { attending: 2, interested: 1 });
      await ok(carol, "events:join", { eventId: event });

      const message = await ok(alice, "events:send", { eventId: event, content: "  see you there  " });
      assert.equal(typeof message.id, "number");
      assert.deepEqual({ ...message, id: 0, createdAt: 0 },
        { id: 0, eventId: event, userId: alice.user, userName: alice.user, content: "  see you there  ", createdAt: 0 });
      for (const other of [bob, carol]) assert.deepEqual((await other.inbox.next("events:message"))[0], message);
      await ok(alice, "events:history", { eventId: event });
      assert.equal(alice.inbox.all("events:message").length, 0, "the sender learns from its ack");

      const listed = await ok(carol, "events:participants", { eventId: event });
      assert.deepEqual(listed.attendees, { attending: 2, interested: 1 });
      assert.deepEqual(listed.participants.map((p) => [p.userId, p.status]).sort(),
        [[alice.user, "attending"], [bob.user, "interested"], [carol.user, "attending"]].sort());

      await participate(d, bob, event, "attending");
      const [change] = await alice.inbox.next("events:user_joined", { where: ([u]) => u.userId === bob.user && u.status === "attending" });
      assert.equal(change.previous, "interested");
      assert.deepEqual((await alice.inbox.next("events:attendees", { where: ([a]) => a.attendees.attending === 3 }))[0].attendees,
        { attending: 3, interested: 0 });
      assert.equal(alice.inbox.all("events:user_joined").filter(([u]) => u.userId === bob.user).length, 2);
    });

    it("takes a user who stops taking part out of the room at once", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const bob_phone = await users.connect(bob.user);
      const event = unique("evt");
      await participate(d, alice, event, "attending");
      await participate(d, bob, event, "attending");
      await bob_phone.inbox.next("events:participation", { where: ([p]) => p.status === "attending" });
      for (const device of [alice, bob, bob_phone]) await ok(device, "events:join", { eventId: event });
      await ok(bob_phone, "events:typing", { eventId: event });
      await alice.inbox.next("events:typing");

      await participate(d, bob, event, null);
      assert.deepEqual((await alice.inbox.next("events:user_left"))[0], { eventId: event, userId: bob.user, status: "attending" });
      assert.deepEqual((await alice.inbox.next("events:stop_typing"))[0], { eventId: event, userId: bob.user });
      assert.deepEqual((await alice.inbox.next("events:attendees", { where: ([a]) => a.attendees.attending === 1 }))[0].attendees,
        { attending: 1, interested: 0 });

      await ok(alice, "events:send", { eventId: event, content: "bob is gone" });
      // Bob's own requests come after anything the room was sent before them.
      assert.equal(await refused(bob, "events:send", { eventId: event, content: "still here?" }), "forbidden");
      assert.equal(await refused(bob_phone, "events:history", { eventId: event }), "forbidden");
      assert.equal(await refused(bob_phone, "events:typing", { eventId: event }), "forbidden");
      for (const device of [bob, bob_phone]) assert.equal(device.inbox.all("events:message").length, 0);
    });

    it("never lets one event's messages reach another event's participants", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const [first, second] = [unique("evt"), unique("evt")];
      await participate(d, alice, first, "attending");
      await participate(d, bob, second, "attending");
      await ok(alice, "events:join", { eventId: first });
      await ok(bob, "events:join", { eventId: second });
      await ok(alice, "events:send", { eventId: first, content: "first only" });
      await ok(bob, "events:send", { eventId: second, content: "second only" });
      assert.equal(await refused(bob, "events:history", { eventId: first }), "forbidden");
      assert.deepEqual((await ok(bob, "events:history", { eventId: second })).messages.map((m) => m.content), ["second only"]);
      await ok(alice, "events:history", { eventId: first });
      assert.equal(bob.inbox.all("events:message").length + alice.inbox.all("events:message").length, 0);
    });

    it("pages history oldest first within a page", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const event = unique("evt");
      await participate(d, alice, event, "interested");
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await ok(alice, "events:send", { eventId: event, content: `m${i}` })).id);
      const page = await ok(alice, "events:history", { eventId: event, limit: 2 });
      assert.deepEqual(page.messages.map((m) => m.id), [ids[3], ids[4]]);
      assert.equal(page.hasMore, true);
      const older = await ok(alice, "events:history", { eventId: event, before: ids[3] });
      assert.deepEqual(older.messages.map((m) => m.content), ["m0", "m1", "m2"]);
      assert.equal(older.hasMore, false);
    });

    it("relays typing to the others, and clears it on stop, on a message and after the timeout", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const alice_laptop = await users.connect(alice.user);
      const bob = await users.connect(unique("bob"));
      const event = unique("evt");
      await participate(d, alice, event, "attending");
      await participate(d, bob, event, "attending");
      for (const device of [alice, alice_laptop, bob]) await ok(device, "events:join", { eventId: event });

      assert.deepEqual(await ok(alice, "events:typing", { eventId: event }), { eventId: event });
      assert.deepEqual((await bob.inbox.next("events:typing"))[0], { eventId: event, userId: alice.user, userName: alice.user });
      await ok(alice, "events:stop_typing", { eventId: event });
      assert.deepEqual((await bob.inbox.next("events:stop_typing"))[0], { eventId: event, userId: alice.user });

      await ok(alice, "events:typing", { eventId: event });
      await bob.inbox.next("events:typing");
      await ok(alice, "events:send", { eventId: event, content: "done typing" });
      await bob.inbox.next("events:stop_typing");

      const started = Date.now();
      await ok(alice, "events:typing", { eventId: event });
      await bob.inbox.next("events:typing");
      await bob.inbox.next("events:stop_typing", { timeout: TYPING_TIMEOUT_MS * 10 });
      assert.ok(Date.now() - started >= TYPING_TIMEOUT_MS - 50, "cleared before the timeout");

      await ok(alice_laptop, "events:history", { eventId: event });
      assert.equal(alice_laptop.inbox.all("events:typing").length, 0, "the typist's own devices are not told");

      await ok(bob, "events:typing", { eventId: event });
      await alice.inbox.next("events:typing");
      bob.socket.disconnect();
      assert.deepEqual((await alice.inbox.next("events:stop_typing"))[0], { eventId: event, userId: bob.user });
    });

    it("refuses bad payloads and banned words", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const event = unique("evt");
      await participate(d, alice, event, "attending");
      const cases = [
        ["events:send", undefined],
        ["events:send", "text"],
        ["events:send", { content: "no event" }],
        ["events:send", { eventId: event }],
        ["events:send", { eventId: 42, content: "numeric id" }],
        ["events:send", { eventId: "has space", content: "x" }],
        ["events:send", { eventId: event, content: "" }],
        ["events:send", { eventId: event, content: " \n\t " }],
        ["events:send", { eventId: event, content: "x".repeat(1001) }],
        ["events:send", { eventId: event, content: "z".repeat(300000) }],
        ["events:send", { eventId: event, content: { text: "object" } }],
        ["events:join", { eventId: "x".repeat(129) }],
        ["events:history", { eventId: event, limit: 0 }],
        ["events:history", { eventId: event, before: "3" }],
        ["events:participate", { eventId: event }],
        ["events:participate", { eventId: event, status: "going" }],
      ];
      for (const [event_name, payload] of cases)
        assert.equal(await refused(alice, event_name, payload), "invalid_payload", `${event_name} ${JSON.stringify(payload)?.slice(0, 60)}`);
      assert.equal(await refused(alice, "events:send", { eventId: event, content: "well DARN it" }), "banned_word");
      assert.equal((await ok(alice, "events:send", { eventId: event, content: "x".repeat(1000) })).content.length, 1000);
      assert.equal((await ok(alice, "events:history", { eventId: event })).messages.length, 1);
      // A bad participation from the bus is dropped: the next good one is the first told.
      await publish(d, "events:participation", { eventId: event, userId: alice.user, status: "maybe" });
      await participate(d, alice, event, "interested");
      assert.equal(alice.inbox.all("events:participation").length, 2);
    });
  });

  describe(`events with self participation on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({ database, plugins: [{ name: "events", config: { self_participation: true } }] });
    });
    after(() => d?.stop());

    it("lets users set their own participation", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      const event = unique("evt");
      const set = await ok(alice, "events:participate", { eventId: event, status: "attending" });
      assert.deepEqual(set, { eventId: event, userId: alice.user, status: "attending", previous: null, attendees: { attending: 1, interested: 0 } });
      await ok(alice, "events:join", { eventId: event });
      assert.equal(await refused(bob, "events:join", { eventId: event }), "forbidden");
      await ok(bob, "events:participate", { eventId: event, status: "interested" });
      assert.deepEqual((await alice.inbox.next("events:attendees"))[0].attendees, { attending: 1, interested: 1 });
      // Repeating a participation changes nothing and announces nothing.
      const again = await ok(bob, "events:participate", { eventId: event, status: "interested" });
      assert.equal(again.previous, "interested");
      await ok(bob, "events:join", { eventId: event });
      const left = await ok(bob, "events:participate", { eventId: event, status: null });
      assert.equal(left.previous, "interested");
      assert.deepEqual((await alice.inbox.next("events:user_left"))[0], { eventId: event, userId: bob.user, status: "interested" });
      assert.equal(await refused(bob, "events:send", { eventId: event, content: "hi" }), "forbidden");
      assert.equal(alice.inbox.all("events:user_joined").filter(([u]) => u.userId === bob.user).length, 1);
      assert.equal(alice.inbox.all("events:attendees").length, 2);
    });

    it("keeps attendee counts exact when many users answer at once", { timeout: 120_000 }, async (t) => {
      const users = users_for(t, d);
      const host = await users.connect(unique("host"));
      const event = unique("evt");
      await ok(host, "events:participate", { eventId: event, status: "attending" });
      await ok(host, "events:join", { eventId: event });
      const crowd = [];
      for (let i = 0; i < 40; i += 20)
        crowd.push(...(await Promise.all(Array.from({ length: 20 }, () => users.connect(unique("guest"), { timeout: 20_000 })))));
      // Everyone answers at once; every third changes their mind to interested, every
      // fifth leaves again.
      let changes = 0;
      await Promise.all(crowd.map(async (guest, i) => {
        await ok(guest, "events:participate", { eventId: event, status: "attending" });
        changes++;
        if (i % 3 === 0) {
          await ok(guest, "events:participate", { eventId: event, status: "interested" });
          changes++;
        }
        if (i % 5 === 0) {
          await ok(guest, "events:participate", { eventId: event, status: null });
          changes++;
        }
      }));
      const attending = await db_number(d, `SELECT COUNT(*) FROM events_participants WHERE event_id = '${event}' AND status = 'attending'`);
      const interested = await db_number(d, `SELECT COUNT(*) FROM events_participants WHERE event_id = '${event}' AND status = 'interested'`);
      const expected_attending = 1 + crowd.filter((_, i) => i % 3 !== 0 && i % 5 !== 0).length;
      const expected_interested = crowd.filter((_, i) => i % 3 === 0 && i % 5 !== 0).length;
      assert.deepEqual([attending, interested], [expected_attending, expected_interested]);
      // One count push a change, in commit order: the last is the database's.
      let last;
      for (let i = 0; i < changes; i++) [last] = await host.inbox.next("events:attendees", { timeout: 20_000 });
      assert.deepEqual(last.attendees, { attending, interested });
      assert.deepEqual((await ok(host, "events:participants", { eventId: event })).attendees, { attending, interested });
    });
  });
}
