// The presence plugin with real socket.io-client users, on SQLite and PostgreSQL:
// online/offline transitions across several devices, statuses, last_seen persisted,
// subscribe/unsubscribe, the throttled per-namespace count, bad payloads and
// permissions, and the plugin left out of a deployment.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { io } from "socket.io-client";

import { DEFAULT_TIMEOUT_MS, Inbox, once, until } from "../support/client.mjs";
import { databases, start_deployment, SWITCHBOARD_BIN } from "../support/deployment.mjs";

// presence-probe (a join hook refusing some presence rooms) is built beside the
// binary, outside build/plugins.
const PROBE_DIR = path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins");

function unique_user(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

// A socket.io-client user: `id` signed in (null: anonymous) on `nsp`, with an inbox
// recording every event (and when it arrived) from the start.
async function presence_user(d, id, { nsp = "/", connect = true } = {}) {
  const socket = io(d.url + nsp, {
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    transports: ["websocket"],
    auth: id === null ? {} : { token: d.token(id) },
  });
  const user = { id, socket, inbox: new Inbox(socket, `${id ?? "anonymous"} on ${nsp}`), arrivals: [] };
  socket.onAny((event) => user.arrivals.push({ event, at: Date.now() }));
  user.close = () => socket.disconnect();
  if (connect) {
    const connected = once(socket, "connect", { what: `${user.inbox.label} connecting`, fail_on: ["connect_error"] });
    socket.connect();
    await connected;
  }
  return user;
}

// Emits with an ack; resolves with the ack's arguments: [null, result] or [{code, message}].
function request(user, event, ...args) {
  return new Promise((resolve, reject) => {
    user.socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, ...args, (error, ...response) => {
      if (error) reject(new Error(`${user.inbox.label}: no ack for ${event}: ${error.message}`));
      else resolve(response);
    });
  });
}

// Asserts the ack is the error `code`.
async function expect_error(user, code, event, ...args) {
  const response = await request(user, event, ...args);
  assert.equal(response.length, 1, `${event} ${JSON.stringify(args)} fails: ${JSON.stringify(response)}`);
  assert.equal(response[0]?.code, code, `${event} ${JSON.stringify(args)}: ${JSON.stringify(response)}`);
  assert.equal(typeof response[0].message, "string");
}

const COUNT_INTERVAL_MS = 300;
const MAX_USER_IDS = 5;
const MAX_SUBSCRIPTIONS = 8;

// Payloads a list-taking event must refuse with invalid_payload.
const BAD_LISTS = [
  null,
  "alice",
  42,
  true,
  [],
  ["alice"],
  {},
  { userIds: null },
  { userIds: "alice" },
  { userIds: { 0: "alice" } },
  { userIds: [] },
  { userIds: [1] },
  { userIds: [null] },
  { userIds: [""] },
  { userIds: ["x".repeat(257)] },
  { userIds: [["alice"]] },
  { userIds: [{ id: "alice" }] },
  { userIds: ["alice", 2] },
  { userIds: ["a", "b", "c", "d", "e", "f"] },
  { userIds: Array.from({ length: 20_000 }, (_, i) => `user-${i}`) },
  { userIds: [Buffer.from("alice")] },
  Buffer.from("alice"),
];
const BAD_STATUSES = [null, "away", 1, [], {}, { status: null }, { status: 1 }, { status: "offline" },
  { status: "AWAY" }, { status: ["away"] }, { status: { away: true } }, { status: "x".repeat(100_000) }];
const BAD_COUNTS = ["yes", 1, [], { subscribe: "yes" }, { subscribe: 1 }, { subscribe: {} }];

// Anything JSON (and binary) a client could send, nested a few levels.
function random_value(depth = 0) {
  const pick = Math.floor(Math.random() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return Math.random() < 0.5;
    case 2: return Math.floor(Math.random() * 2 ** 53) * (Math.random() < 0.5 ? -1 : 1);
    case 3: return Math.random() * 1e300;
    case 4: return ["online", "away", "busy", "", "x".repeat(Math.floor(Math.random() * 600)), "\u0000\u{1F600}"][
      Math.floor(Math.random() * 6)];
    case 5: return Buffer.from([1, 2, 3]);
    case 6: return Array.from({ length: Math.floor(Math.random() * 8) }, () => random_value(depth + 1));
    case 7: return { userIds: random_value(depth + 1), status: random_value(depth + 1), subscribe: random_value(depth + 1) };
    default: return { userIds: Array.from({ length: Math.floor(Math.random() * 7) }, () => random_value(depth + 1)) };
  }
}

for (const database of databases()) {
  describe(`presence on ${database}`, () => {
    let d;
    const users = [];
    before(async () => {
      d = await start_deployment({
        database,
        namespaces: [
          { name: "/", anonymous: false },
          { name: "/other", anonymous: false },
          { name: "/counted", anonymous: false },
          { name: "/public", anonymous: true },
        ],
        plugins: [
          {
            name: "presence",
            config: { count_interval_ms: COUNT_INTERVAL_MS, max_user_ids: MAX_USER_IDS, max_subscriptions: MAX_SUBSCRIPTIONS },
          },
          { name: "presence-probe" },
        ],
        extra: { plugin_path: [PROBE_DIR] },
      });
    });
    after(async () => {
      users.forEach((u) => u.close());
      await d?.stop();
    });
    const connect = async (id, options) => {
      const user = await presence_user(d, id, options);
      users.push(user);
      return user;
    };

    it("announces the first device, not the second, and the last one leaving with lastSeen persisted", async () => {
      const alice = unique_user("alice");
      const watcher = await connect(unique_user("watcher"));
      const [error, result] = await request(watcher, "presence:subscribe", { userIds: [alice] });
      assert.equal(error, null);
      assert.deepEqual(result, {
        users: [{ userId: alice, status: "offline", lastSeen: null }],
        denied: [],
      }, "a user never seen is offline, lastSeen null");

      const phone = await connect(alice);
      const [online] = await watcher.inbox.next("presence:update");
      assert.equal(online.userId, alice);
      assert.equal(online.status, "online");
      assert.equal(typeof online.lastSeen, "number");

      // The second device: no announcement. The next update the watcher gets is the
      // status change made after it connected, so nothing came in between.
      const laptop = await connect(alice);
      const [error_set] = await request(laptop, "presence:set", { status: "away" });
      assert.equal(error_set, null);
      const [away] = await watcher.inbox.next("presence:update");
      assert.equal(away.status, "away", "the second device did not re-announce");

      // One device left, one still there: still online.
      phone.close();
      const [, state_after_phone] = await request(watcher, "presence:subscribe", { userIds: [alice] });
      assert.equal(state_after_phone.users[0].status, "away");

      const before_leaving = Date.now();
      laptop.close();
      const [offline] = await watcher.inbox.next("presence:update");
      assert.deepEqual(Object.keys(offline).sort(), ["lastSeen", "status", "userId"]);
      assert.equal(offline.userId, alice);
      assert.equal(offline.status, "offline");
      assert.ok(offline.lastSeen >= before_leaving - 50 && offline.lastSeen <= Date.now() + 50,
        `lastSeen ${offline.lastSeen} is when the last device left (${before_leaving})`);
      assert.deepEqual(watcher.inbox.all("presence:update").map(([u]) => u.status), ["online", "away", "offline"]);

      // Offline users' state comes from the database: lastSeen was persisted.
      const later = await connect(unique_user("later"));
      const [, persisted] = await request(later, "presence:subscribe", { userIds: [alice] });
      assert.deepEqual(persisted.users, [{ userId: alice, status: "offline", lastSeen: offline.lastSeen }]);
    });

    it("gives the current state in the subscribe ack, in the order asked, without duplicates", async () => {
      const [on, off, never] = [unique_user("on"), unique_user("off"), unique_user("never")];
      await connect(on);
      const gone = await connect(off);
      gone.close();
      const watcher = await connect(unique_user("watcher"));
      // Wait until `off` was seen (its presence hooks run on the pool). It came and went
      // at once: maybe before its hooks ran, announced or not, it was seen.
      for (let i = 0; ; ++i) {
        const [, r] = await request(watcher, "presence:subscribe", { userIds: [off] });
        if (r.users[0].status === "offline" && r.users[0].lastSeen !== null) break;
        assert.ok(i < 50, "off goes offline");
        await sleep(20);
      }
      const [error, result] = await request(watcher, "presence:subscribe", { userIds: [never, on, off, on] });
      assert.equal(error, null);
      assert.deepEqual(result.users.map((u) => [u.userId, u.status]), [
        [never, "offline"],
        [on, "online"],
        [off, "offline"],
      ]);
      assert.equal(typeof result.users[1].lastSeen, "number");
      assert.equal(typeof result.users[2].lastSeen, "number");
      assert.equal(result.users[0].lastSeen, null);
    });

    it("announces status changes once, keeps the chosen status across reconnects", async () => {
      const bob = unique_user("bob");
      const watcher = await connect(unique_user("watcher"));
      await request(watcher, "presence:subscribe", { userIds: [bob] });
      let device = await connect(bob);
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "online");

      const [error, state] = await request(device, "presence:set", { status: "busy" });
      assert.equal(error, null);
      assert.equal(state.userId, bob);
      assert.equal(state.status, "busy");
      assert.equal(typeof state.lastSeen, "number");
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "busy");

      // The same status again changes nothing: the next update is the next change.
      const [again_error, again] = await request(device, "presence:set", { status: "busy" });
      assert.equal(again_error, null);
      assert.equal(again.status, "busy");
      await request(device, "presence:set", { status: "away" });
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "away");

      // A chosen status is persisted: the next device comes back "away".
      device.close();
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "offline");
      device = await connect(bob);
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "away");
      await request(device, "presence:set", { status: "online" });
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "online");
      assert.deepEqual(watcher.inbox.all("presence:update").map(([u]) => u.status),
        ["online", "busy", "away", "offline", "away", "online"]);
    });

    it("a status set right after connecting follows the online announcement", async () => {
      const carol = unique_user("carol");
      const watcher = await connect(unique_user("watcher"));
      await request(watcher, "presence:subscribe", { userIds: [carol] });
      const device = await presence_user(d, carol, { connect: false });
      users.push(device);
      const connected = new Promise((resolve) => device.socket.once("connect", resolve));
      device.socket.connect();
      await connected;
      // No wait: the presence hook may still be queued when this arrives.
      await request(device, "presence:set", { status: "busy" });
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "online");
      assert.equal((await watcher.inbox.next("presence:update"))[0].status, "busy");
    });

    it("reaches subscribers in every namespace", async () => {
      const dave = unique_user("dave");
      const elsewhere = await connect(unique_user("watcher"), { nsp: "/other" });
      const [error] = await request(elsewhere, "presence:subscribe", { userIds: [dave] });
      assert.equal(error, null);
      const device = await connect(dave);
      const [update] = await elsewhere.inbox.next("presence:update");
      assert.deepEqual([update.userId, update.status], [dave, "online"]);
      device.close();
      assert.equal((await elsewhere.inbox.next("presence:update"))[0].status, "offline");
    });

    it("stops updates after unsubscribe, and only for the users named", async () => {
      const [erin, frank] = [unique_user("erin"), unique_user("frank")];
      const watcher = await connect(unique_user("watcher"));
      const control = await connect(unique_user("control"));
      await request(watcher, "presence:subscribe", { userIds: [erin, frank] });
      await request(control, "presence:subscribe", { userIds: [erin] });

      const [error, result] = await request(watcher, "presence:unsubscribe", { userIds: [erin, "not-followed"] });
      assert.equal(error, null);
      assert.deepEqual(result, { userIds: [erin] }, "only what was followed is reported");

      await connect(erin);
      // The control subscriber sees erin online: the update was sent.
      assert.equal((await control.inbox.next("presence:update"))[0].userId, erin);
      await connect(frank);
      assert.equal((await watcher.inbox.next("presence:update"))[0].userId, frank);
      await sleep(150);
      assert.deepEqual(watcher.inbox.all("presence:update").map(([u]) => u.userId), [frank],
        "no update for the user unsubscribed from");
    });

    it("counts the signed-in users of a namespace, throttled, for those who ask", async () => {
      const nsp = "/counted";
      const listener = await connect(unique_user("listener"), { nsp });
      const [error, first] = await request(listener, "presence:count", { subscribe: true });
      assert.equal(error, null);
      assert.deepEqual(first, { count: 1 }, "the listener itself");
      // Waits for `expected`; every count on the way must pass `check`.
      const count_reaches = async (expected, check) => {
        for (;;) {
          const [payload] = await listener.inbox.next("presence:count");
          assert.deepEqual(Object.keys(payload), ["count"]);
          if (payload.count === expected) return;
          check(payload.count);
        }
      };
      const asker = await connect(unique_user("asker"), { nsp });
      const [, just_asking] = await request(asker, "presence:count");
      assert.deepEqual(just_asking, { count: 2 });
      // (A tick may repeat the 1 the ack gave, if it ran between the join and the asker.)
      await count_reaches(2, (c) => assert.equal(c, 1));

      // Two devices of one user are one user; another namespace counts apart.
      const grace = unique_user("grace");
      const grace_devices = [await connect(grace, { nsp }), await connect(grace, { nsp })];
      await connect(unique_user("elsewhere"), { nsp: "/other" });
      await count_reaches(3, (c) => assert.fail(`count ${c} before 3`));

      // A burst: at most one packet per interval, and it ends on the right count.
      const burst = [];
      for (let i = 0; i < 6; ++i) burst.push(await connect(unique_user("burst"), { nsp }));
      await count_reaches(9, (c) => assert.ok(c > 3 && c < 9, `count ${c} between 3 and 9`));
      burst.forEach((u) => u.close());
      grace_devices.forEach((u) => u.close());
      await count_reaches(2, (c) => assert.ok(c > 2 && c < 9, `count ${c} between 2 and 9`));
      // At most one packet per interval. Arrival times, not send times: a packet held up
      // on a loaded machine arrives close to the next one, so single gaps prove nothing;
      // the span does (a delay moves one packet, not the whole series). One interval of
      // slack covers a delayed first packet.
      const times = listener.arrivals.filter((e) => e.event === "presence:count").map((e) => e.at);
      const span = times.at(-1) - times[0];
      assert.ok(span >= (times.length - 2) * COUNT_INTERVAL_MS,
        `${times.length} updates within ${span} ms (interval ${COUNT_INTERVAL_MS} ms): gaps ` +
        times.slice(1).map((t, i) => t - times[i]).join(", "));
      // The asker never subscribed: it got nothing.
      assert.deepEqual(asker.inbox.all("presence:count"), []);

      // Unsubscribed: no more counts.
      const [, last] = await request(listener, "presence:count", { subscribe: false });
      assert.deepEqual(last, { count: 2 });
      asker.close();
      // The asker's disconnect hook runs on the handler pool, late on a busy server.
      await until(async () => (await request(listener, "presence:count"))[1]?.count === 1,
        "the asker's socket no longer counted");
      // Two intervals in which a count would have been pushed, had the unsubscribe not held.
      await sleep(COUNT_INTERVAL_MS * 2);
      assert.equal(listener.inbox.all("presence:count").length, times.length, "no count after unsubscribing");
    });

    it("answers invalid_payload to malformed requests", async () => {
      const user = await connect(unique_user("sender"));
      for (const event of ["presence:subscribe", "presence:unsubscribe"]) {
        await expect_error(user, "invalid_payload", event);   // no argument at all
        for (const payload of BAD_LISTS) await expect_error(user, "invalid_payload", event, payload);
      }
      await expect_error(user, "invalid_payload", "presence:set");
      for (const payload of BAD_STATUSES) await expect_error(user, "invalid_payload", "presence:set", payload);
      for (const payload of BAD_COUNTS) await expect_error(user, "invalid_payload", "presence:count", payload);
      // Duplicates are dropped after the size check: MAX_USER_IDS ids, some the same, pass.
      const [error, result] = await request(user, "presence:subscribe", { userIds: ["p", "q", "p", "q", "p"] });
      assert.equal(error, null);
      assert.deepEqual(result.users.map((u) => u.userId), ["p", "q"]);
    });

    it("caps how many users one socket follows", async () => {
      const user = await connect(unique_user("follower"));
      const ids = Array.from({ length: MAX_SUBSCRIPTIONS + 2 }, () => unique_user("followed"));
      assert.equal((await request(user, "presence:subscribe", { userIds: ids.slice(0, 5) }))[0], null);
      assert.equal((await request(user, "presence:subscribe", { userIds: ids.slice(3, 8) }))[0], null);
      // Over the cap: refused as a whole, nothing of it subscribed.
      await expect_error(user, "limit_exceeded", "presence:subscribe", { userIds: [ids[0], ids[8]] });
      // Following again whom it follows adds nothing: fine at the cap.
      assert.equal((await request(user, "presence:subscribe", { userIds: ids.slice(0, 2) }))[0], null);
      const [, removed] = await request(user, "presence:unsubscribe", { userIds: ids.slice(0, 2) });
      assert.deepEqual(removed, { userIds: ids.slice(0, 2) });
      assert.equal((await request(user, "presence:subscribe", { userIds: ids.slice(8, 10) }))[0], null);
      // ids[8] was refused with the batch earlier, and is followed now.
      await connect(ids[8]);
      assert.equal((await user.inbox.next("presence:update"))[0].userId, ids[8]);
      // A new socket of the same user starts from zero.
      const other = await connect(user.id);
      assert.equal((await request(other, "presence:subscribe", { userIds: ids.slice(0, 5) }))[0], null);
    });

    it("refuses anonymous sockets", async () => {
      const anonymous = await connect(null, { nsp: "/public" });
      await expect_error(anonymous, "unauthorized", "presence:subscribe", { userIds: ["alice"] });
      await expect_error(anonymous, "unauthorized", "presence:unsubscribe", { userIds: ["alice"] });
      await expect_error(anonymous, "unauthorized", "presence:set", { status: "away" });
      await expect_error(anonymous, "unauthorized", "presence:count", { subscribe: true });
    });

    it("survives whatever clients send, with or without acks", async () => {
      const sender = await connect(unique_user("fuzzer"));
      const events = ["presence:subscribe", "presence:unsubscribe", "presence:set", "presence:count"];
      for (let i = 0; i < 400; ++i) {
        const event = events[i % events.length];
        const args = Array.from({ length: Math.floor(Math.random() * 3) }, () => random_value());
        if (i % 2) sender.socket.emit(event, ...args);
        else {
          const response = await request(sender, event, ...args);
          assert.ok(response[0] === null || typeof response[0]?.code === "string", JSON.stringify(response));
          assert.notEqual(response[0]?.code, "internal_error", `${event} ${JSON.stringify(args)}`);
        }
      }
      const [, current] = await request(sender, "presence:count");
      assert.equal(typeof current.count, "number", "still serving");
      // Without an ack a valid request still takes effect.
      const checker = await connect(unique_user("checker"));
      const target = unique_user("target");
      checker.socket.emit("presence:subscribe", { userIds: [target] });
      await request(checker, "presence:count");   // the subscribe ran before this answer
      await connect(target);
      const [update] = await checker.inbox.next("presence:update");
      assert.deepEqual([update.userId, update.status], [target, "online"]);
    });

    it("lets the deployment's join hooks refuse some subscriptions", async () => {
      const watcher = await connect(unique_user("watcher"));
      const [open, hidden] = [unique_user("open"), unique_user("private")];
      const [error, result] = await request(watcher, "presence:subscribe", { userIds: [hidden, open] });
      assert.equal(error, null);
      assert.deepEqual(result.users.map((u) => u.userId), [open]);
      assert.deepEqual(result.denied, [{ userId: hidden, code: "forbidden", message: "private presence" }]);
      // Refused: not followed, and not held against the cap.
      await connect(hidden);
      await connect(open);
      assert.equal((await watcher.inbox.next("presence:update"))[0].userId, open);
      await sleep(150);
      assert.deepEqual(watcher.inbox.all("presence:update").map(([u]) => u.userId), [open]);
      const more = Array.from({ length: MAX_SUBSCRIPTIONS - 1 }, () => unique_user("more"));
      assert.equal((await request(watcher, "presence:subscribe", { userIds: more.slice(0, 4) }))[0], null);
      assert.equal((await request(watcher, "presence:subscribe", { userIds: more.slice(4) }))[0], null);

      const counter = await connect(unique_user("nocount"));
      await expect_error(counter, "forbidden", "presence:count", { subscribe: true });
      const [count_error, count] = await request(counter, "presence:count");
      assert.equal(count_error, null, "asking needs no room");
      assert.equal(typeof count.count, "number");
    });

    it("logged no handler failure", () => {
      assert.doesNotMatch(d.output(), /threw|internal_error/);
    });
  });
}

describe("presence left out of the deployment", () => {
  it("answers nothing: the events have no handler", async () => {
    const d = await start_deployment({ plugins: [] });
    const user = await presence_user(d, unique_user("someone"));
    try {
      await assert.rejects(
        user.socket.timeout(500).emitWithAck("presence:count", {}),
        /timed out|operation has timed out/i,
      );
      await assert.rejects(user.socket.timeout(300).emitWithAck("presence:subscribe", { userIds: ["a"] }));
    } finally {
      user.close();
      await d.stop();
    }
  });

  // The kernel checks the schema's bounds (SDK 1.1, issue #12) and names the value's
  // line in the deployment file.
  it("refuses a deployment whose presence settings are out of range, at the value's line", async () => {
    await assert.rejects(
      start_deployment({ plugins: [{ name: "presence", config: { count_interval_ms: 0 } }] }),
      /switchboard\.yaml:\d+:\d+: plugins\.presence\.config\.count_interval_ms: 0 is below the minimum of 50/,
    );
  });
});
