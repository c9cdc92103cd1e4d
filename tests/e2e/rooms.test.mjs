// Rooms and broadcasts: join, emit to a room, except, exclude_self, several
// rooms at once (delivered once), leave, leaving on disconnect, the "rooms"
// listing, namespace-wide broadcast, namespace isolation and volatile emits —
// over each transport mode, plus one room whose members use different modes.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { start_server } from "./support/server.mjs";
import {
  Clients,
  TRANSPORT_MODES,
  connect,
  fence,
  join,
  leave,
  once,
  rooms,
  server_emit,
  unique,
} from "./support/client.mjs";

let server;
before(async () => {
  server = await start_server();
});
after(async () => {
  await server?.stop();
});

const TEST = { timeout: 15_000 };

// How many times each client got `event` with first argument `tag`.
function counts(clients, event, tag) {
  return Object.fromEntries(
    clients.map((c) => [c.name, c.inbox.all(event).filter((args) => args[0] === tag).length]),
  );
}

async function connect_named(clients, mode, names, options = {}) {
  const result = [];
  for (const name of names) {
    const client = await clients.connect(mode, { ...options, label: `${name} (${mode.name})` });
    client.name = name;
    result.push(client);
  }
  return result;
}

for (const mode of TRANSPORT_MODES) {
  describe(`rooms over ${mode.name}`, () => {
    test('"rooms" lists the socket\'s own id and the rooms it joined, sorted', TEST, async (t) => {
      const clients = new Clients(t, server);
      const [a] = await connect_named(clients, mode, ["a"]);
      assert.deepStrictEqual(await rooms(a), [a.socket.id]);
      await join(a, "zeta");
      await join(a, "alpha");
      await join(a, "alpha"); // joining twice changes nothing
      assert.deepStrictEqual(await rooms(a), [a.socket.id, "alpha", "zeta"].sort());
      await leave(a, "zeta");
      await leave(a, "never-joined"); // leaving a room one is not in is harmless
      assert.deepStrictEqual(await rooms(a), [a.socket.id, "alpha"].sort());
    });

    test("emit to a room, except a room, exclude_self, several rooms, leave", TEST, async (t) => {
      const clients = new Clients(t, server);
      const r1 = unique("r1");
      const r2 = unique("r2");
      // a in r1; b in r1 and r2; c in r2; d in no room.
      const [a, b, c, d] = await connect_named(clients, mode, ["a", "b", "c", "d"]);
      const all = [a, b, c, d];
      await join(a, r1);
      await join(b, r1);
      await join(b, r2);
      await join(c, r2);
      assert.deepStrictEqual(await rooms(b), [b.socket.id, r1, r2].sort());

      // To a room, from a non-member.
      await server_emit(c, { to: r1, event: "room-event", args: ["to-r1", { n: 1 }] });
      await fence(c, all);
      assert.deepStrictEqual(counts(all, "room-event", "to-r1"), { a: 1, b: 1, c: 0, d: 0 });
      assert.deepStrictEqual(a.inbox.all("room-event")[0], ["to-r1", { n: 1 }]);

      // To r1 except r2: b is in both, so b is left out.
      await server_emit(a, { to: r1, except: r2, event: "room-event", args: ["r1-except-r2"] });
      await fence(a, all);
      assert.deepStrictEqual(counts(all, "room-event", "r1-except-r2"), { a: 1, b: 0, c: 0, d: 0 });

      // exclude_self: the sender is left out even though it is a member.
      await server_emit(a, { to: r1, exclude_self: true, event: "room-event", args: ["r1-not-self"] });
      await fence(a, all);
      assert.deepStrictEqual(counts(all, "room-event", "r1-not-self"), { a: 0, b: 1, c: 0, d: 0 });

      // Several rooms: b, a member of both, gets it once.
      await server_emit(d, { to: [r1, r2], event: "room-event", args: ["r1-and-r2"] });
      await fence(d, all);
      assert.deepStrictEqual(counts(all, "room-event", "r1-and-r2"), { a: 1, b: 1, c: 1, d: 0 });

      // Several rooms, except one: only those in neither excluded room.
      await server_emit(d, { to: [r1, r2], except: r1, event: "room-event", args: ["both-except-r1"] });
      await fence(d, all);
      assert.deepStrictEqual(counts(all, "room-event", "both-except-r1"), { a: 0, b: 0, c: 1, d: 0 });

      // Whole namespace except several rooms.
      await server_emit(a, { except: [r1, r2], event: "room-event", args: ["nsp-except-both"] });
      await fence(a, all);
      assert.deepStrictEqual(counts(all, "room-event", "nsp-except-both"), { a: 0, b: 0, c: 0, d: 1 });

      // A socket id is a room of one.
      await server_emit(a, { to: c.socket.id, event: "room-event", args: ["to-c-only"] });
      await fence(a, all);
      assert.deepStrictEqual(counts(all, "room-event", "to-c-only"), { a: 0, b: 0, c: 1, d: 0 });

      // Except a socket id.
      await server_emit(a, { to: r2, except: b.socket.id, event: "room-event", args: ["r2-except-b"] });
      await fence(a, all);
      assert.deepStrictEqual(counts(all, "room-event", "r2-except-b"), { a: 0, b: 0, c: 1, d: 0 });

      // Leave stops delivery.
      await leave(b, r1);
      assert.deepStrictEqual(await rooms(b), [b.socket.id, r2].sort());
      await server_emit(d, { to: r1, event: "room-event", args: ["r1-after-leave"] });
      await fence(d, all);
      assert.deepStrictEqual(counts(all, "room-event", "r1-after-leave"), { a: 1, b: 0, c: 0, d: 0 });

      // An empty room delivers to no one.
      await leave(a, r1);
      await server_emit(d, { to: r1, event: "room-event", args: ["r1-empty"] });
      await fence(d, all);
      assert.deepStrictEqual(counts(all, "room-event", "r1-empty"), { a: 0, b: 0, c: 0, d: 0 });
    });

    test("a disconnected client's rooms no longer deliver to it", TEST, async (t) => {
      const clients = new Clients(t, server);
      const room = unique("room");
      const [a, b] = await connect_named(clients, mode, ["a", "b"]);
      await join(a, room);
      await join(b, room);
      const old_id = a.socket.id;

      const closed = once(a.socket, "disconnect", { what: "a disconnecting" });
      a.socket.disconnect();
      const [reason] = await closed;
      assert.equal(reason, "io client disconnect");

      // The same client object reconnects as a new socket, in no room yet.
      await connect(a);
      assert.notEqual(a.socket.id, old_id);
      assert.deepStrictEqual(await rooms(a), [a.socket.id]);

      // A fresh client connects too: neither gets the room's or the old id's events.
      const [c] = await connect_named(clients, mode, ["c"]);
      const everyone = [a, b, c];
      await server_emit(c, { to: room, event: "room-event", args: ["to-room"] });
      await server_emit(c, { to: old_id, event: "room-event", args: ["to-old-id"] });
      await fence(c, everyone);
      assert.deepStrictEqual(counts(everyone, "room-event", "to-room"), { a: 0, b: 1, c: 0 });
      assert.deepStrictEqual(counts(everyone, "room-event", "to-old-id"), { a: 0, b: 0, c: 0 });
    });

    test("namespace broadcast reaches every socket of that namespace only", TEST, async (t) => {
      const clients = new Clients(t, server);
      const main = await connect_named(clients, mode, ["m1", "m2", "m3"]);
      const custom = await connect_named(clients, mode, ["c1", "c2"], { nsp: "/custom" });
      const tag = unique("nsp");

      await server_emit(main[0], { event: "nsp-event", args: [tag, "from /"] });
      await Promise.all([fence(main[0], main), fence(custom[0], custom)]);
      assert.deepStrictEqual(counts([...main, ...custom], "nsp-event", tag), { m1: 1, m2: 1, m3: 1, c1: 0, c2: 0 });
      assert.deepStrictEqual(main[1].inbox.all("nsp-event")[0], [tag, "from /"]);

      const tag2 = unique("nsp");
      await server_emit(custom[1], { event: "nsp-event", args: [tag2], exclude_self: true });
      await Promise.all([fence(main[0], main), fence(custom[0], custom)]);
      assert.deepStrictEqual(counts([...main, ...custom], "nsp-event", tag2), { m1: 0, m2: 0, m3: 0, c1: 1, c2: 0 });
    });

    test("rooms are per namespace", TEST, async (t) => {
      const clients = new Clients(t, server);
      const room = unique("shared-name");
      const [m] = await connect_named(clients, mode, ["m"]);
      const [c] = await connect_named(clients, mode, ["c"], { nsp: "/custom" });
      await join(m, room);
      await join(c, room);
      await server_emit(m, { to: room, event: "room-event", args: ["main-room"] });
      await Promise.all([fence(m, [m]), fence(c, [c])]);
      assert.deepStrictEqual(counts([m, c], "room-event", "main-room"), { m: 1, c: 0 });
      await server_emit(c, { to: room, event: "room-event", args: ["custom-room"] });
      await Promise.all([fence(m, [m]), fence(c, [c])]);
      assert.deepStrictEqual(counts([m, c], "room-event", "custom-room"), { m: 0, c: 1 });
    });

    test("volatile emits arrive in the normal case", TEST, async (t) => {
      const clients = new Clients(t, server);
      const room = unique("volatile");
      const [a, b, c] = await connect_named(clients, mode, ["a", "b", "c"]);
      await join(b, room);
      await join(c, room);
      await server_emit(a, { event: "volatile-event", args: ["to-all", 1], volatile: true });
      await server_emit(a, { to: room, event: "volatile-event", args: ["to-room", 2], volatile: true });
      for (const client of [a, b, c]) {
        assert.deepStrictEqual(await client.inbox.next("volatile-event"), ["to-all", 1], client.label);
      }
      for (const client of [b, c]) {
        assert.deepStrictEqual(await client.inbox.next("volatile-event"), ["to-room", 2], client.label);
      }
      await fence(a, [a, b, c]);
      assert.deepStrictEqual(counts([a, b, c], "volatile-event", "to-room"), { a: 0, b: 1, c: 1 });
    });
  });
}

describe("rooms across transport modes", () => {
  test("one room with members on websocket, polling and polling+upgrade", TEST, async (t) => {
    const clients = new Clients(t, server);
    const room = unique("mixed");
    const members = [];
    for (const mode of TRANSPORT_MODES) {
      const client = await clients.connect(mode, { label: mode.name });
      client.name = mode.name;
      await join(client, room);
      members.push(client);
    }
    const binary = Buffer.from([0, 1, 2, 250, 255]);
    // Text and binary broadcasts: the polling member needs different framing.
    for (const sender of members) {
      await server_emit(sender, { to: room, event: "mixed-event", args: [`from ${sender.name}`, { binary }] });
    }
    for (const member of members) {
      for (const sender of members) {
        const [tag, object] = await member.inbox.next("mixed-event");
        assert.equal(tag, `from ${sender.name}`, `${member.name} order`);
        assert.equal(Buffer.compare(Buffer.from(object.binary), binary), 0, `${member.name} binary from ${sender.name}`);
      }
    }
  });
});
