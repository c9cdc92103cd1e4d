// The notifications plugin with real socket.io-client users, on SQLite and
// PostgreSQL: live delivery to every device, unread ones on connect, list / read /
// read_all with the unread count in every change, announcements and their role
// check, the HTTP API and its key, the server-side bus (through the test-only
// notifications-probe plugin), and payloads that must be refused without harm.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { io } from "socket.io-client";

import { DEFAULT_TIMEOUT_MS, Inbox, once, unique } from "../support/client.mjs";
import { SWITCHBOARD_BIN, databases, start_deployment } from "../support/deployment.mjs";
import { http_call } from "../support/http.mjs";

const API_KEY = "spec-api-key-0123456789abcdef";
// notifications-probe is built beside the binary, outside build/plugins.
const PROBE_DIR = path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins");

const WEBSOCKET = { transports: ["websocket"] };
const POLLING = { transports: ["polling"] };

// ---------------------------------------------------------------- helpers

// Sockets of one test, closed when it ends (pass or fail).
function sockets_for(t) {
  const open = [];
  t.after(() => open.forEach((s) => s.disconnect()));
  return {
    // A connected device of `user` with an inbox recording everything from the start.
    async connect(d, user, { claims = {}, nsp = "/", options = WEBSOCKET, auth } = {}) {
      const socket = io(d.url + nsp, {
        forceNew: true,
        reconnection: false,
        autoConnect: false,
        auth: auth ?? (user ? { token: d.token(user, claims) } : {}),
        ...options,
      });
      open.push(socket);
      const device = { socket, user, inbox: new Inbox(socket, `${user ?? "anonymous"} on ${nsp}`) };
      socket.connect();
      await once(socket, "connect", { what: `${user} connecting`, fail_on: ["connect_error"] });
      return device;
    },
  };
}

// Emits with an ack; resolves with the ack's arguments ([error, result]).
function request(device, event, ...args) {
  return new Promise((resolve, reject) => {
    device.socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, ...args, (error, ...answer) => {
      if (error) reject(new Error(`${device.user}: no ack for ${event} (${error.message})`));
      else resolve(answer);
    });
  });
}

// The result of a request that must succeed.
async function ok(device, event, ...args) {
  const [error, result] = await request(device, event, ...args);
  assert.equal(error, null, `${event} should succeed, got ${JSON.stringify(error)}`);
  return result;
}

// The error code of a request that must fail.
async function refused(device, event, ...args) {
  const answer = await request(device, event, ...args);
  assert.equal(answer.length, 1, `${event} ${JSON.stringify(args).slice(0, 80)}: expected a refusal, got ${JSON.stringify(answer).slice(0, 200)}`);
  assert.equal(typeof answer[0].message, "string");
  return answer[0].code;
}

// A backend's call to this deployment.
function call(d, method, url_path, options) {
  return http_call(d.url, method, url_path, options);
}

const auth_header = { authorization: `Bearer ${API_KEY}` };

function post(d, url_path, body, headers = auth_header) {
  return call(d, "POST", url_path, { body, headers });
}

// Sends through the HTTP API, as a backend does; returns the stored notifications.
async function send(d, body) {
  const response = await post(d, "/api/notifications", body);
  assert.equal(response.status, 201, `send: ${response.text}`);
  return response.body.notifications;
}

function note(user, title, extra = {}) {
  return { userId: user, type: "comment", title, message: `message for ${title}`, data: { title }, ...extra };
}

async function metric(d, name) {
  const response = await call(d, "GET", "/metrics");
  const line = response.text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

const short_pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- per database

for (const database of databases()) {
  describe(`notifications on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [{ name: "notifications", config: { api_key: API_KEY } }, { name: "notifications-probe" }],
        extra: { plugin_path: [PROBE_DIR] },
      });
    });
    after(() => d?.stop());

    it("sends a new device notification:unread, empty for a user with nothing", async (t) => {
      const users = sockets_for(t);
      const alice = await users.connect(d, unique("alice"));
      const [unread] = await alice.inbox.next("notification:unread");
      assert.deepEqual(unread, { items: [], unreadCount: 0 });
    });

    it("delivers at once to every device of the user and to nobody else", async (t) => {
      const users = sockets_for(t);
      const alice = unique("alice");
      const bob = unique("bob");
      const phone = await users.connect(d, alice, { options: WEBSOCKET });
      const laptop = await users.connect(d, alice, { options: POLLING });
      const bobs = await users.connect(d, bob);
      for (const device of [phone, laptop, bobs]) await device.inbox.next("notification:unread");

      const [stored] = await send(d, note(alice, "first", { data: { post: 7, tags: ["a", "b"] } }));
      assert.equal(stored.userId, alice);
      assert.equal(typeof stored.id, "number");
      for (const device of [phone, laptop]) {
        const [pushed] = await device.inbox.next("notification:new");
        assert.equal(pushed.unreadCount, 1);
        assert.deepEqual(pushed.notification, {
          id: stored.id,
          type: "comment",
          title: "first",
          message: "message for first",
          data: { post: 7, tags: ["a", "b"] },
          createdAt: stored.createdAt,
          readAt: null,
        });
      }
      await send(d, note(alice, "second"));
      for (const device of [phone, laptop]) {
        const [pushed] = await device.inbox.next("notification:new");
        assert.equal(pushed.notification.title, "second");
        assert.equal(pushed.unreadCount, 2);
      }
      // Bob's own notification comes after Alice's on the same path: had hers
      // reached him, it would be in his inbox first.
      await send(d, note(bob, "for bob"));
      const [own] = await bobs.inbox.next("notification:new");
      assert.equal(own.notification.title, "for bob");
      assert.equal(own.unreadCount, 1);
      assert.equal(bobs.inbox.all("notification:new").length, 1);
    });

    it("sends to several users with userIds", async (t) => {
      const users = sockets_for(t);
      const [a, b] = [unique("a"), unique("b")];
      const da = await users.connect(d, a);
      const db = await users.connect(d, b);
      const stored = await send(d, { userIds: [a, b, a], type: "system", title: "both", message: "" });
      assert.deepEqual(stored.map((n) => n.userId), [a, b]);
      for (const device of [da, db]) {
        const [pushed] = await device.inbox.next("notification:new");
        assert.equal(pushed.notification.title, "both");
        assert.deepEqual(pushed.notification.data, {});
      }
    });

    it("gives a user who was offline the unread ones on connect, from HTTP and the bus", async (t) => {
      const users = sockets_for(t);
      const carol = unique("carol");
      const observer = unique("observer");
      const watcher = await users.connect(d, observer);

      const first = (await send(d, note(carol, "one")))[0];
      const second = (await send(d, note(carol, "two")))[0];
      // Over the bus, to Carol and an online observer in one transaction: once the
      // observer hears it, Carol's copy is stored.
      const [error, published] = await request(watcher, "probe:publish", "notifications:send", {
        userIds: [carol, observer],
        type: "mention",
        title: "three",
        message: "from the bus",
        data: { via: "bus" },
      });
      assert.equal(error, null);
      assert.equal(published, true);
      await watcher.inbox.next("notification:new", { where: ([n]) => n.notification.title === "three" });

      const device = await users.connect(d, carol, { options: POLLING });
      const [unread] = await device.inbox.next("notification:unread");
      assert.equal(unread.unreadCount, 3);
      assert.deepEqual(unread.items.map((n) => n.title), ["three", "two", "one"]);
      assert.deepEqual(unread.items[0].data, { via: "bus" });
      assert.equal(unread.items[0].type, "mention");
      assert.deepEqual(unread.items.map((n) => n.readAt), [null, null, null]);

      // Delivering is not reading: they stay unread until read.
      device.socket.disconnect();
      await ok((await users.connect(d, carol)), "notification:read", { id: second.id });
      const again = await users.connect(d, carol);
      const [later] = await again.inbox.next("notification:unread");
      assert.equal(later.unreadCount, 2);
      assert.deepEqual(later.items.map((n) => n.title), ["three", "one"]);
      assert.equal(later.items[1].id, first.id);
    });

    it("pages notification:list newest first, with unreadOnly", async (t) => {
      const users = sockets_for(t);
      const dave = unique("dave");
      const ids = [];
      for (let i = 1; i <= 5; i++) ids.push((await send(d, note(dave, `n${i}`)))[0].id);
      const device = await users.connect(d, dave);

      const all = await ok(device, "notification:list");
      assert.deepEqual(all.items.map((n) => n.id), [...ids].reverse());
      assert.equal(all.nextBefore, null);
      assert.equal(all.unreadCount, 5);

      const page1 = await ok(device, "notification:list", { limit: 2 });
      assert.deepEqual(page1.items.map((n) => n.id), [ids[4], ids[3]]);
      assert.equal(page1.nextBefore, ids[3]);
      const page2 = await ok(device, "notification:list", { limit: 2, before: page1.nextBefore });
      assert.deepEqual(page2.items.map((n) => n.id), [ids[2], ids[1]]);
      const page3 = await ok(device, "notification:list", { limit: 2, before: page2.nextBefore });
      assert.deepEqual(page3.items.map((n) => n.id), [ids[0]]);
      assert.equal(page3.nextBefore, null);

      await ok(device, "notification:read", { ids: [ids[1], ids[3]] });
      const unread = await ok(device, "notification:list", { unreadOnly: true });
      assert.deepEqual(unread.items.map((n) => n.id), [ids[4], ids[2], ids[0]]);
      assert.equal(unread.unreadCount, 3);
      const read = (await ok(device, "notification:list")).items.filter((n) => n.readAt !== null);
      assert.deepEqual(read.map((n) => n.id), [ids[3], ids[1]]);
      assert.ok(read.every((n) => typeof n.readAt === "number" && n.readAt >= n.createdAt));

      for (const bad of [
        { limit: 0 },
        { limit: 101 },
        { limit: "5" },
        { limit: 2.5 },
        { before: -1 },
        { before: "x" },
        { unreadOnly: "yes" },
        "page 2",
        42,
        [1],
      ]) {
        assert.equal(await refused(device, "notification:list", bad), "invalid_payload", JSON.stringify(bad));
      }
    });

    it("notification:read tells every device, with the unread count", async (t) => {
      const users = sockets_for(t);
      const erin = unique("erin");
      const phone = await users.connect(d, erin);
      const laptop = await users.connect(d, erin, { options: POLLING });
      const [n1, n2, n3] = await Promise.all(["a", "b", "c"].map(async (title) => (await send(d, note(erin, title)))[0]));
      for (const device of [phone, laptop]) for (let i = 0; i < 3; i++) await device.inbox.next("notification:new");

      const answer = await ok(phone, "notification:read", { id: n1.id });
      assert.deepEqual(answer, { ids: [n1.id], unreadCount: 2 });
      for (const device of [phone, laptop]) {
        const [pushed] = await device.inbox.next("notification:read");
        assert.deepEqual(pushed.ids, [n1.id]);
        assert.equal(pushed.unreadCount, 2);
        assert.equal(typeof pushed.readAt, "number");
      }

      // Already read: nothing changes and nobody is told.
      assert.deepEqual(await ok(phone, "notification:read", { id: n1.id }), { ids: [], unreadCount: 2 });
      assert.deepEqual(await ok(laptop, "notification:read", { ids: [n1.id, n2.id, n3.id] }), {
        ids: [n2.id, n3.id].sort((x, y) => x - y),
        unreadCount: 0,
      });
      const [both] = await phone.inbox.next("notification:read");
      assert.equal(both.unreadCount, 0);
      assert.equal(phone.inbox.all("notification:read").length, 2, "the no-op read was not broadcast");
    });

    it("notification:read refuses someone else's notification and bad ids", async (t) => {
      const users = sockets_for(t);
      const [frank, grace] = [unique("frank"), unique("grace")];
      const own = (await send(d, note(frank, "mine")))[0];
      const other = (await send(d, note(grace, "hers")))[0];
      const device = await users.connect(d, frank);

      assert.equal(await refused(device, "notification:read", { id: other.id }), "not_found");
      assert.equal(await refused(device, "notification:read", { id: 2 ** 52 }), "not_found");
      // All or nothing: his own stays unread when one id is not his.
      assert.equal(await refused(device, "notification:read", { ids: [own.id, other.id] }), "not_found");
      assert.equal((await ok(device, "notification:list")).unreadCount, 1);
      assert.equal(await refused(device, "notification:read_all", { upTo: "all" }), "invalid_payload");
      await ok(device, "notification:read_all");
      const graces = await users.connect(d, grace);
      const [unread] = await graces.inbox.next("notification:unread");
      assert.equal(unread.unreadCount, 1, "Grace's notification is untouched");

      for (const bad of [
        undefined,
        null,
        {},
        "1",
        1,
        { id: "1" },
        { id: 0 },
        { id: -3 },
        { id: 1.5 },
        { id: true },
        { id: own.id, ids: [own.id] },
        { ids: [] },
        { ids: "1,2" },
        { ids: [own.id, "x"] },
        { ids: Array.from({ length: 101 }, (_, i) => i + 1) },
      ]) {
        const args = bad === undefined ? [] : [bad];
        assert.equal(await refused(device, "notification:read", ...args), "invalid_payload", JSON.stringify(bad));
      }
    });

    it("notification:read_all, all or up to an id, tells every device", async (t) => {
      const users = sockets_for(t);
      const heidi = unique("heidi");
      const ids = [];
      for (const title of ["x", "y", "z"]) ids.push((await send(d, note(heidi, title)))[0].id);
      const phone = await users.connect(d, heidi);
      const laptop = await users.connect(d, heidi, { options: POLLING });

      assert.deepEqual(await ok(phone, "notification:read_all", { upTo: ids[1] }), { updated: 2, unreadCount: 1 });
      for (const device of [phone, laptop]) {
        const [pushed] = await device.inbox.next("notification:read_all");
        assert.equal(pushed.upTo, ids[1]);
        assert.equal(pushed.unreadCount, 1);
        assert.equal(typeof pushed.readAt, "number");
      }
      assert.deepEqual(await ok(laptop, "notification:read_all"), { updated: 1, unreadCount: 0 });
      for (const device of [phone, laptop]) {
        const [pushed] = await device.inbox.next("notification:read_all");
        assert.deepEqual([pushed.upTo, pushed.unreadCount], [null, 0]);
      }
      assert.deepEqual(await ok(laptop, "notification:read_all", null), { updated: 0, unreadCount: 0 });
      // A new one after: the count climbs again, and the no-op above told nobody.
      await send(d, note(heidi, "after"));
      const [fresh] = await phone.inbox.next("notification:new");
      assert.equal(fresh.unreadCount, 1);
      assert.equal(phone.inbox.all("notification:read_all").length, 2);
      assert.equal(await refused(phone, "notification:read_all", "everything"), "invalid_payload");
      assert.equal(await refused(phone, "notification:read_all", { upTo: 0 }), "invalid_payload");
    });

    it("announcements reach every socket; only the configured role may send them", async (t) => {
      const users = sockets_for(t);
      const admin = await users.connect(d, unique("admin"), { claims: { roles: ["editor", "admin"] } });
      const alice = await users.connect(d, unique("alice"));
      const bob = await users.connect(d, unique("bob"), { claims: { roles: ["user"] }, options: POLLING });
      const tricky = await users.connect(d, unique("tricky"), { claims: { roles: { admin: true } } });
      const everyone = [admin, alice, bob, tricky];

      const notice = { title: "Maintenance", message: "Down at 22:00" };
      for (const device of [alice, bob, tricky]) {
        assert.equal(await refused(device, "notification:announce", notice), "forbidden");
        // The role is checked first: a bad payload from a non-admin is still forbidden.
        assert.equal(await refused(device, "notification:announce", { title: 5 }), "forbidden");
      }
      const { announcement } = await ok(admin, "notification:announce", { ...notice, data: { window: "2h" } });
      assert.equal(announcement.type, "announcement");
      assert.equal(announcement.author, admin.user);
      for (const device of everyone) {
        const [pushed] = await device.inbox.next("notification:announcement");
        assert.deepEqual(pushed.announcement, announcement);
      }
      // Only the admin's got through: one announcement each.
      for (const device of everyone) assert.equal(device.inbox.all("notification:announcement").length, 1);

      for (const bad of [null, "hi", { message: "no title" }, { title: "" }, { title: "t", message: 3 }, { title: "t", message: "m", type: "has space" }, { title: "t", message: "m", data: [1] }]) {
        assert.equal(await refused(admin, "notification:announce", bad), "invalid_payload", JSON.stringify(bad));
      }

      // Backends announce over HTTP (with the key) and plugins over the bus.
      assert.equal((await post(d, "/api/notifications/announcements", notice, {})).status, 401);
      const over_http = await post(d, "/api/notifications/announcements", { ...notice, type: "release", author: "ops" });
      assert.equal(over_http.status, 201, over_http.text);
      for (const device of everyone) {
        const [pushed] = await device.inbox.next("notification:announcement");
        assert.deepEqual([pushed.announcement.type, pushed.announcement.author], ["release", "ops"]);
      }
      await ok(alice, "probe:publish", "notifications:announce", { title: "From a plugin", message: "" });
      for (const device of everyone) {
        const [pushed] = await device.inbox.next("notification:announcement");
        assert.deepEqual([pushed.announcement.title, pushed.announcement.author], ["From a plugin", "system"]);
      }

      const history = await ok(bob, "notification:announcements", { limit: 2 });
      assert.deepEqual(history.items.map((a) => a.title), ["From a plugin", "Maintenance"]);
      assert.equal(history.nextBefore, history.items[1].id);
      const older = await ok(bob, "notification:announcements", { before: history.nextBefore, limit: 2 });
      assert.ok(older.items.every((a) => a.id < history.nextBefore));
    });

    it("the HTTP API wants the key", async (t) => {
      const users = sockets_for(t);
      const ivan = unique("ivan");
      const device = await users.connect(d, ivan);
      for (const headers of [
        {},
        { authorization: "Bearer wrong-key-wrong-key-wrong" },
        { authorization: `Bearer ${API_KEY}x` },
        { authorization: API_KEY },
        { authorization: `Basic ${API_KEY}` },
        { authorization: "Bearer " },
      ]) {
        const response = await post(d, "/api/notifications", note(ivan, "sneaky"), headers);
        assert.equal(response.status, 401, JSON.stringify(headers));
        assert.equal(response.body.code, "unauthorized");
      }
      assert.equal((await call(d, "GET", "/api/notifications", { headers: auth_header })).status, 405);
      await send(d, note(ivan, "legit"));
      const [pushed] = await device.inbox.next("notification:new");
      assert.equal(pushed.notification.title, "legit");
      assert.equal(device.inbox.all("notification:new").length, 1);
    });

    it("the HTTP API refuses bad payloads with 400 and stores nothing", async (t) => {
      const users = sockets_for(t);
      const judy = unique("judy");
      const device = await users.connect(d, judy);
      const base = note(judy, "ok");
      const deep = {};
      let cursor = deep;
      for (let i = 0; i < 40; i++) cursor = cursor.next = {};
      const cases = [
        "not json",
        "[1, 2]",
        "null",
        { ...base, userId: undefined },
        { ...base, userId: 42 },
        { ...base, userId: "" },
        { ...base, userId: "x".repeat(256) },
        { ...base, userIds: [judy] },
        { ...base, userId: undefined, userIds: [] },
        { ...base, userId: undefined, userIds: [judy, 7] },
        { ...base, userId: undefined, userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) },
        { ...base, type: undefined },
        { ...base, type: 3 },
        { ...base, type: "" },
        { ...base, type: "no spaces allowed" },
        { ...base, type: "t".repeat(65) },
        { ...base, title: undefined },
        { ...base, title: "" },
        { ...base, title: ["array"] },
        { ...base, title: "t".repeat(201) },
        { ...base, message: undefined },
        { ...base, message: null },
        { ...base, message: { text: "object" } },
        { ...base, message: "m".repeat(2001) },
        { ...base, message: "huge ".repeat(150_000) },
        { ...base, data: [1, 2] },
        { ...base, data: "text" },
        { ...base, data: 5 },
        { ...base, data: { blob: "d".repeat(9000) } },
        { ...base, data: deep },
      ];
      for (const body of cases) {
        const response = await post(d, "/api/notifications", body);
        assert.equal(response.status, 400, `${JSON.stringify(body).slice(0, 100)} -> ${response.text}`);
        assert.equal(response.body.code, "invalid_payload");
        assert.equal(typeof response.body.message, "string");
      }
      // Length is in characters: 200 emoji are a valid title.
      await send(d, { ...base, title: "🔔".repeat(200) });
      const [pushed] = await device.inbox.next("notification:new");
      assert.equal(pushed.notification.title, "🔔".repeat(200));
      assert.equal(pushed.unreadCount, 1, "none of the refused ones was stored");
    });

    it("bad bus payloads are refused and counted, and the bus keeps working", async (t) => {
      const users = sockets_for(t);
      const kim = unique("kim");
      const device = await users.connect(d, kim);
      const rejected_before = await metric(d, "switchboard_plugin_notifications_bus_rejected");
      const bad = [
        null,
        "text",
        [kim],
        {},
        { userId: 5, type: "t", title: "t", message: "m" },
        { userId: kim, type: "t", title: 5, message: "m" },
        { userId: kim, type: "t", title: "t" },
        { userId: kim, type: "t", title: "t", message: "x".repeat(100_000) },
        { userId: kim, type: "t", title: "t", message: "m", data: "not an object" },
      ];
      for (const payload of bad) await ok(device, "probe:publish", "notifications:send", payload);
      await ok(device, "probe:publish", "notifications:announce", { title: 42 });
      await ok(device, "probe:publish", "notifications:send", note(kim, "good"));
      const [pushed] = await device.inbox.next("notification:new");
      assert.equal(pushed.notification.title, "good");
      assert.equal(pushed.unreadCount, 1);
      // Bus messages run on the pool, perhaps out of order: wait for the count.
      const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
      while ((await metric(d, "switchboard_plugin_notifications_bus_rejected")) - rejected_before < bad.length + 1) {
        assert.ok(Date.now() < deadline, "every bad bus payload is counted");
        await short_pause(50);
      }
      assert.equal(device.inbox.all("notification:new").length, 1);
    });

    it("nothing a client sends breaks the server", async (t) => {
      const users = sockets_for(t);
      const mallory = unique("mallory");
      const device = await users.connect(d, mallory, { claims: { roles: ["admin"] } });
      // Deep, but under the kernel's packet depth limit (128): the plugin sees it.
      let nested = [];
      for (let i = 0; i < 100; i++) nested = [nested];
      const garbage = [
        [],
        [null],
        [0],
        [-1],
        [""],
        ["x".repeat(500_000)],
        [[]],
        [{ id: { $gt: 0 } }],
        [{ ids: [{}] }],
        [{ limit: 1e300 }],
        [{ before: Number.MAX_SAFE_INTEGER * 4 }],
        [{ title: "t", message: "m", data: { bin: Buffer.from([1, 2, 3]) } }],
        [Buffer.from("binary")],
        [nested],
        [{ title: "t", message: "m", data: { nested } }],
        [{}, {}, {}],
        [{ id: "1; DROP TABLE notifications_items" }],
        [{ title: "x'); DELETE FROM notifications_items; --", message: "m" }],
      ];
      const events = ["notification:list", "notification:read", "notification:read_all", "notification:announce", "notification:announcements"];
      for (const event of events) {
        for (const args of garbage) {
          const answer = await request(device, event, ...args);
          const [first] = answer;
          assert.ok(first === null || typeof first.code === "string", `${event}: ${JSON.stringify(answer).slice(0, 120)}`);
        }
        // Without an ack too: nobody to answer, nothing to break.
        device.socket.emit(event, { id: "x" });
        device.socket.emit(event);
      }
      // Deeper than the kernel takes: it closes that connection, nothing more.
      let deeper = [];
      for (let i = 0; i < 1000; i++) deeper = [deeper];
      const reckless = await users.connect(d, mallory);
      const closed = once(reckless.socket, "disconnect");
      reckless.socket.emit("notification:list", { before: deeper });
      await closed;

      // The SQL-looking title was stored as text, like any other.
      const history = await ok(device, "notification:announcements", { limit: 1 });
      assert.equal(history.items[0].title, "x'); DELETE FROM notifications_items; --");
      const still = await ok(device, "notification:list");
      assert.equal(still.unreadCount, 0);
      assert.equal((await call(d, "GET", "/healthz")).status, 200);
      await send(d, note(mallory, "still alive"));
      assert.equal((await device.inbox.next("notification:new"))[0].notification.title, "still alive");
    });
  });
}

// ---------------------------------------------------------------- the deployment decides

describe("notifications left out of the deployment", () => {
  let d;
  before(async () => {
    d = await start_deployment({ plugins: [] });
  });
  after(() => d?.stop());

  it("no events are served and the API does not exist", async (t) => {
    const users = sockets_for(t);
    const device = await users.connect(d, unique("nobody"));
    const answer = device.socket.timeout(300).emitWithAck("notification:list", {});
    await assert.rejects(answer, /timed out|timeout/i);
    assert.equal(device.inbox.all("notification:unread").length, 0);
    assert.equal((await post(d, "/api/notifications", note("x", "y"))).status, 404);
  });
});

describe("notifications with its settings changed", () => {
  let d;
  before(async () => {
    d = await start_deployment({
      namespaces: [
        { name: "/", anonymous: false },
        { name: "/alerts", anonymous: true },
      ],
      plugins: [
        {
          name: "notifications",
          config: {
            namespace: "/alerts",
            announce_role: "ops",
            api_key: API_KEY,
            max_title_length: 10,
            unread_on_connect: 2,
            page_size: 2,
          },
        },
      ],
    });
  });
  after(() => d?.stop());

  it("serves its namespace only, with its limits and its role", async (t) => {
    const users = sockets_for(t);
    const user = unique("lee");
    for (const title of ["1", "2", "3"]) await send(d, note(user, title));
    assert.equal((await post(d, "/api/notifications", note(user, "eleven char"))).status, 400);

    const device = await users.connect(d, user, { nsp: "/alerts" });
    const [unread] = await device.inbox.next("notification:unread");
    assert.equal(unread.unreadCount, 3);
    assert.deepEqual(unread.items.map((n) => n.title), ["3", "2"]);
    assert.equal((await ok(device, "notification:list")).items.length, 2);

    // The default namespace has no notifications events.
    const elsewhere = await users.connect(d, user, { nsp: "/" });
    await assert.rejects(elsewhere.socket.timeout(300).emitWithAck("notification:list", {}), /timed out|timeout/i);
    assert.equal(elsewhere.inbox.all("notification:unread").length, 0);

    const ops = await users.connect(d, unique("ops"), { nsp: "/alerts", claims: { roles: ["ops"] } });
    const admin = await users.connect(d, unique("admin"), { nsp: "/alerts", claims: { roles: ["admin"] } });
    assert.equal(await refused(admin, "notification:announce", { title: "hi", message: "" }), "forbidden");
    await ok(ops, "notification:announce", { title: "hi", message: "" });
    const [pushed] = await device.inbox.next("notification:announcement");
    assert.equal(pushed.announcement.title, "hi");
  });

  it("an anonymous socket gets nothing and may ask nothing", async (t) => {
    const users = sockets_for(t);
    const anonymous = await users.connect(d, null, { nsp: "/alerts" });
    assert.equal(await refused(anonymous, "notification:list"), "forbidden");
    assert.equal(await refused(anonymous, "notification:read_all"), "forbidden");
    assert.equal(anonymous.inbox.all("notification:unread").length, 0);
  });
});

describe("notifications refuses a bad configuration", () => {
  for (const [config, key] of [
    [{ max_page_size: 0 }, /max_page_size/],
    [{ api_key: "short" }, /API key/],
    [{ namespace: "alerts" }, /namespace/],
    [{ max_title_length: "long" }, /max_title_length/],
  ]) {
    it(`refuses ${JSON.stringify(config)}`, async () => {
      await assert.rejects(start_deployment({ plugins: [{ name: "notifications", config }] }), key);
    });
  }
});
