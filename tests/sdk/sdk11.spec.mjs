// What SDK 1.1 added, through real socket.io-clients and the fixture-sdk11 plugin
// (tests/sdk/fixtures/sdk11.cpp): on_connected paired with disconnect, the socket's
// id/auth/handshake/dialect on an event, rooms_of and in_room (pooled and inline),
// clear_room through sockets_leave, emit statuses, release of finished timers, and
// require_user's refusal.
//
//   SWITCHBOARD_BIN=build/switchboard SWITCHBOARD_TEST_PLUGINS=build/test-plugins \
//     node --test tests/sdk/sdk11.spec.mjs
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, PARSER, TRANSPORT_MODES, once, request, request_all, unique, until } from "../e2e/support/client.mjs";
import { make_dir, remove_dir, serve, write_deployment } from "./support.mjs";

const TEST = { timeout: 20_000 };

describe("SDK 1.1 through fixture-sdk11", () => {
  let server;
  let dir;
  before(async () => {
    dir = make_dir();
    server = await serve(write_deployment(dir, [{ name: "fixture-sdk11", required: true }]));
  });
  after(async () => {
    await server?.stop();
    remove_dir(dir);
  });

  for (const mode of TRANSPORT_MODES) {
    describe(`over ${mode.name}`, () => {
      test("on_connected runs once the socket is accepted, with its id and dialect", TEST, async (t) => {
        const clients = new Clients(t, server);
        const client = clients.create(mode);
        const greeted = client.inbox.next("sdk11:connected");
        client.socket.connect();
        const [id, dialect] = await greeted;
        assert.equal(id, client.socket.id);
        assert.deepStrictEqual(dialect, { engineio: 4, socketio: 5, parser: PARSER });
      });

      test("an event carries its socket's id, auth, handshake query and dialect", TEST, async (t) => {
        const clients = new Clients(t, server);
        const client = await clients.connect(mode, { auth: { token: "abc", n: 1 }, query: { room: "lobby" } });
        const [error, me] = await request_all(client, "sdk11:whoami");
        assert.equal(error, null);
        assert.equal(me.id, client.socket.id);
        assert.deepStrictEqual(me.auth, { token: "abc", n: 1 });
        assert.equal(me.query.room, "lobby");
        assert.deepStrictEqual(me.dialect, { engineio: 4, socketio: 5, parser: PARSER });
        assert.equal(me.user_id, "");
      });
    });
  }

  test("each disconnect follows its on_connected; a refused socket gets neither", TEST, async (t) => {
    const clients = new Clients(t, server);
    // The fixture counts per auth tag: sockets of earlier tests may still be leaving.
    const tag = unique("pairing");
    const watcher = await clients.connect(TRANSPORT_MODES[0]);
    assert.deepStrictEqual(await request_all(watcher, "sdk11:join", "watchers"), [null, true]);

    // Refused by the fixture's connect hook: the refusal is decided before any
    // on_connected could run, so after connect_error none will.
    const refused = clients.create(TRANSPORT_MODES[0], { auth: { refuse: true, tag } });
    const connect_error = once(refused.socket, "connect_error");
    refused.socket.connect();
    assert.equal((await connect_error)[0].data.code, "refused_by_fixture");

    const leaving = await clients.connect(TRANSPORT_MODES[0], { auth: { tag } });
    const id = leaving.socket.id;
    const left = watcher.inbox.next("sdk11:left", { where: (args) => args[0] === id });
    leaving.socket.disconnect();
    assert.deepStrictEqual(await left, [id, true, "client namespace disconnect"]);

    // The disconnect hook counted before it emitted sdk11:left.
    assert.deepStrictEqual(await request_all(watcher, "sdk11:counts", tag), [
      null,
      { connected: 1, disconnected: 1, unpaired: 0 },
    ]);
  });

  test("rooms_of and in_room answer for the event's socket, pooled and inline", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    for (const room of ["r2", "r1"]) assert.deepStrictEqual(await request_all(client, "sdk11:join", room), [null, true]);
    for (const event of ["sdk11:rooms", "sdk11:rooms-inline"]) {
      assert.deepStrictEqual(await request_all(client, event, "r1"), [null, { rooms: ["r1", "r2"], in: true }], event);
      assert.deepStrictEqual(await request_all(client, event, "r3"), [null, { rooms: ["r1", "r2"], in: false }], event);
    }
  });

  test("clear_room takes every socket out of the room, and only that room", TEST, async (t) => {
    const clients = new Clients(t, server);
    const [a, b] = [await clients.connect(TRANSPORT_MODES[0]), await clients.connect(TRANSPORT_MODES[0])];
    for (const client of [a, b])
      for (const room of ["clear-me", "keep-me"])
        assert.deepStrictEqual(await request_all(client, "sdk11:join", room), [null, true]);
    assert.deepStrictEqual(await request_all(a, "sdk11:clear", "clear-me"), [null, "ok"]);
    for (const client of [a, b]) {
      const [, answer] = await until(async () => {
        const reply = await request_all(client, "sdk11:rooms", "clear-me");
        return reply[1].in ? null : reply;
      }, `${client.label} out of clear-me`);
      assert.deepStrictEqual(answer.rooms, ["keep-me"]);
    }
  });

  test("emit answers its status: refused emits say why", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    const self = client.inbox.next("sdk11:self");
    assert.deepStrictEqual(await request_all(client, "sdk11:emit-statuses"), [
      null,
      { no_event_name: "invalid_argument", no_rooms: "invalid_argument", to_self: "ok" },
    ]);
    await self;
  });

  test("a timer's handler is released once it fired, and once it was cancelled", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    const released = async () => (await request_all(client, "sdk11:released"))[1];
    const before_count = await released();
    assert.deepStrictEqual(await request_all(client, "sdk11:timer", 1, false), [null, true]);
    await until(async () => (await released()) === before_count + 1, "the fired timer's handler released");
    assert.deepStrictEqual(await request_all(client, "sdk11:timer", 600_000, true), [null, true]);
    await until(async () => (await released()) === before_count + 2, "the cancelled timer's handler released");
  });

  test("a raw timer's own user_data is left to the plugin by sdk.hpp's release", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    const fired = async () => (await request_all(client, "sdk11:raw-fired"))[1];
    const released = async () => (await request_all(client, "sdk11:released"))[1];
    const before_fired = await fired();
    const before_released = await released();
    assert.deepStrictEqual(await request_all(client, "sdk11:raw-timer"), [null, true]);
    await until(async () => (await fired()) === before_fired + 1, "the raw timer firing");
    // The kernel released the raw timer's user_data once it fired, before it ran the
    // next timer: when that one's handler is released, so was the raw one, and the
    // server, which would have freed a static object, still answers.
    assert.deepStrictEqual(await request_all(client, "sdk11:timer", 1, false), [null, true]);
    await until(async () => (await released()) === before_released + 1, "the next timer's handler released");
    assert.equal(await fired(), before_fired + 1);
  });

  test("require_user refuses an anonymous socket with unauthorized", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    const [refusal] = await request_all(client, "sdk11:refuse-anonymous");
    assert.equal(refusal.code, "unauthorized");
    assert.equal(await request(client, "sdk11:counts", "").then(() => "still served"), "still served");
  });
});
