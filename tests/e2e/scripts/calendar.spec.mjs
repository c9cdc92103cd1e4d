// scripts/calendar.lua: invites and answers on every device of the users concerned,
// updates to the room and the participants, reminders from the database that fire
// after a restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { fence, unique } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { call, ok, refused, start_features, user } from "./support.mjs";

const REMINDER_WAIT = { timeout: 15_000 };

for (const database of databases()) {
  describe(`calendar on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({
        database,
        features: ["calendar"],
        settings: { calendar: { reminder_poll_ms: 100, reminder_lead_ms: 60_000 } },
      });
    });
    after(async () => {
      await d?.stop();
    });

    test("invites, answers, updates and deletion reach the right users on every device", async (t) => {
      const [ann_name, ben_name] = [unique("ann"), unique("ben")];
      const ann = await user(t, d, ann_name);
      const ann_tablet = await user(t, d, ann_name);
      const ben = await user(t, d, ben_name);
      const ben_phone = await user(t, d, ben_name);
      const cat = await user(t, d);
      const eve = await user(t, d);

      const starts_at = Date.now() + 86_400_000;
      const event = await ok(ann, "calendar:create", { title: "Standup", starts_at, invitees: [ben_name, cat.name] });
      assert.equal(event.ends_at, starts_at + 3_600_000);
      assert.deepEqual(event.invitees.map((i) => i.status), ["pending", "pending"]);
      assert.equal((await ann_tablet.inbox.next("calendar:created"))[0].id, event.id);
      for (const device of [ben, ben_phone, cat]) {
        assert.equal((await device.inbox.next("calendar:invite-received"))[0].id, event.id);
      }

      assert.equal(await refused(eve, "calendar:join", { id: event.id }), "forbidden");
      assert.equal(await refused(eve, "calendar:get", { id: event.id }), "forbidden");
      assert.equal(await refused(eve, "calendar:accept", { id: event.id }), "not_found");
      assert.equal(await refused(ben, "calendar:update", { id: event.id, title: "mine" }), "forbidden");

      await ok(ben, "calendar:accept", { id: event.id });
      for (const device of [ann, ann_tablet, ben, ben_phone]) {
        assert.deepEqual((await device.inbox.next("calendar:invite-accepted"))[0], {
          event_id: event.id, user_id: ben_name, status: "accepted",
        });
      }
      await ok(cat, "calendar:reject", { id: event.id });
      assert.equal((await ann.inbox.next("calendar:invite-rejected"))[0].user_id, cat.name);
      assert.equal(await refused(cat, "calendar:join", { id: event.id }), "forbidden", "rejected: no longer a participant");

      // Ben's phone sits in the room, his other device does not: each gets the update once.
      await ok(ben_phone, "calendar:join", { id: event.id });
      const moved = await ok(ann, "calendar:update", { id: event.id, starts_at: starts_at + 1000, location: "Room 2" });
      assert.equal(moved.location, "Room 2");
      await fence(ann, [ann, ann_tablet, ben, ben_phone, cat, eve]);
      for (const device of [ann, ann_tablet, ben, ben_phone]) {
        assert.equal(device.inbox.all("calendar:updated").length, 1, device.label);
      }
      assert.equal(cat.inbox.all("calendar:updated").length, 0, "not to who rejected");
      assert.equal(eve.inbox.all("calendar:updated").length, 0);

      // Uninviting Ben: he is told it is gone for him.
      await ok(ann, "calendar:update", { id: event.id, invitees: [cat.name] });
      assert.deepEqual((await ben.inbox.next("calendar:deleted"))[0], { id: event.id });
      assert.equal(await refused(ben, "calendar:get", { id: event.id }), "forbidden");

      await ok(ann, "calendar:delete", { id: event.id });
      assert.deepEqual((await ann_tablet.inbox.next("calendar:deleted"))[0], { id: event.id });
      assert.equal(await refused(ann, "calendar:get", { id: event.id }), "not_found");
    });

    test("a reminder fires at its lead time, once", async (t) => {
      const ann = await user(t, d);
      const first = await ok(ann, "calendar:create", { title: "First", starts_at: Date.now() + 1_500, remind_before_ms: 1_000 });
      const second = await ok(ann, "calendar:create", { title: "Second", starts_at: Date.now() + 2_000, remind_before_ms: 1_000 });
      assert.equal((await ann.inbox.next("calendar:reminder", REMINDER_WAIT))[0].event_id, first.id);
      assert.equal((await ann.inbox.next("calendar:reminder", REMINDER_WAIT))[0].event_id, second.id);
      await fence(ann, [ann]);
      assert.deepEqual(ann.inbox.all("calendar:reminder").map(([r]) => r.event_id), [first.id, second.id]);
      assert.equal((await ok(ann, "calendar:get", { id: first.id })).reminder.sent, true);
    });

    test("a reminder set before a restart fires after it", async (t) => {
      const name = unique("ann");
      const before_restart = await user(t, d, name);
      const event = await ok(before_restart, "calendar:create", {
        title: "After the restart", starts_at: Date.now() + 4_000, remind_before_ms: 1_000,
      });
      assert.equal((await ok(before_restart, "calendar:get", { id: event.id })).reminder.sent, false);
      // Reminders go to users who are online: gone, Ann cannot have had it before the stop.
      before_restart.socket.disconnect();
      assert.equal(before_restart.inbox.all("calendar:reminder").length, 0);
      const restarted = await d.restart();
      d.url = restarted.url;
      d.port = restarted.port;

      const after_restart = await user(t, d, name);
      const [reminder] = await after_restart.inbox.next("calendar:reminder", REMINDER_WAIT);
      assert.deepEqual(reminder, { event_id: event.id, title: "After the restart", location: "", starts_at: event.starts_at });
      assert.equal((await ok(after_restart, "calendar:get", { id: event.id })).reminder.sent, true);
    });

    test("bad payloads get a clear invalid_payload", async (t) => {
      const ann = await user(t, d);
      const cases = [
        ["calendar:create", {}],
        ["calendar:create", { title: "x" }],
        ["calendar:create", { title: "x", starts_at: "tomorrow" }],
        ["calendar:create", { title: "x", starts_at: 10, ends_at: 5 }],
        ["calendar:create", { title: "x", starts_at: 10, invitees: [42.5] }],
        ["calendar:create", { title: "x", starts_at: 10, remind_before_ms: -1 }],
        ["calendar:accept", { id: "" }],
        ["calendar:list", { from: -1 }],
      ];
      for (const [event, payload] of cases) {
        const [error] = await call(ann, event, payload);
        assert.equal(error?.code, "invalid_payload", `${event} ${JSON.stringify(payload)}: ${JSON.stringify(error)}`);
      }
    });
  });
}
