// Reloading every feature script under a steady stream of events: every event is
// answered once, every push arrives once, the database holds each write once, and a
// calendar reminder set before the reloads fires once after them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { fence, unique } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { ok, start_features, user } from "./support.mjs";

const EVENTS = 150;
const IN_FLIGHT = 4;
const RELOADS = 5;

for (const database of databases()) {
  describe(`reloading the feature scripts on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({
        database,
        features: ["content", "diary", "calendar", "payments"],
        settings: {
          calendar: { reminder_poll_ms: 100 },
          payments: { providers: { acme: { secret: "whsec_reload_0123456789" } } },
        },
        log_level: "info",
      });
    });
    after(async () => {
      await d?.stop();
    });

    test(`a stream of writes across ${RELOADS} reloads: nothing lost, nothing twice`, async (t) => {
      const ann = await user(t, d);
      const ben = await user(t, d);
      const cat = await user(t, d);
      const item = await ok(ann, "content:create", { title: "Serial", visibility: "public" });
      await ok(ben, "content:join", { id: item.id });
      // Due after the reloads have started: it must fire once, from whichever scripts run then.
      const meeting = await ok(cat, "calendar:create", { title: "Sync", starts_at: Date.now() + 3_000, remind_before_ms: 1_500 });

      let acked = 0;
      const answers = new Map();
      const progress = [];
      const notify = () => {
        for (const waiter of progress.splice(0)) waiter();
      };
      const until_acked = (n) => new Promise((resolve) => {
        const check = () => (acked >= n ? resolve() : progress.push(check));
        check();
      });
      // The stream goes on until the reloads are done and at least EVENTS were sent.
      let reloading = true;
      let next = 0;
      const stream = (async () => {
        const lane = async () => {
          while (reloading || next < EVENTS) {
            const title = `c${String(next++).padStart(4, "0")}`;
            const chapter = await ok(ann, "chapter:create", { content_id: item.id, title });
            assert.ok(!answers.has(title), `${title} answered twice`);
            answers.set(title, chapter);
            acked += 1;
            notify();
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      })();

      const reloads = [];
      for (let i = 1; i <= RELOADS; i += 1) {
        await until_acked(Math.floor((EVENTS * i) / (RELOADS + 2)));
        const line = await d.reload();
        assert.match(line, /reloaded/, line);
        reloads.push(acked);
      }
      reloading = false;
      await stream;
      const sent = next;
      t.diagnostic(`${sent} writes, reloads after ${reloads.join(", ")} answers`);
      assert.ok(sent >= EVENTS && reloads.every((n) => n < sent), `every reload happened mid-stream (${reloads} of ${sent})`);

      // Every write answered once, in the order sent (one socket's events run in order).
      assert.equal(answers.size, sent);
      const titles = [...answers.keys()].sort();
      assert.deepEqual(titles.map((title) => answers.get(title).position), titles.map((_, i) => i + 1));
      // Every push arrived once.
      await fence(ann, [ben]);
      const pushed = ben.inbox.all("chapter:created").map(([c]) => c.title);
      assert.equal(pushed.length, sent);
      assert.deepEqual([...pushed].sort(), titles);
      // The database holds each once.
      const stored = await ok(ben, "content:get", { id: item.id });
      assert.deepEqual(stored.chapters.map((c) => c.title), titles);

      const [reminder] = await cat.inbox.next("calendar:reminder", { timeout: 15_000 });
      assert.equal(reminder.event_id, meeting.id);
      // A later reminder as a marker: by the time it comes, a second copy of the first would have too.
      const marker = await ok(cat, "calendar:create", { title: "Marker", starts_at: Date.now() + 1_000, remind_before_ms: 1_000 });
      assert.equal((await cat.inbox.next("calendar:reminder", { timeout: 15_000 }))[0].event_id, marker.id);
      assert.equal(cat.inbox.all("calendar:reminder").length, 2);
    });
  });
}
