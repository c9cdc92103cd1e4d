// Connecting: the "/" and "/custom" namespaces, the auth payload, socket ids,
// several namespaces over one connection, and the refusal of an unknown
// namespace — over each transport mode.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { start_server } from "./support/server.mjs";
import { Clients, TRANSPORT_MODES, assert_same, connect, fence, once, request, rooms } from "./support/client.mjs";

let server;
before(async () => {
  server = await start_server();
});
after(async () => {
  await server?.stop();
});

const TEST = { timeout: 15_000 };

for (const mode of TRANSPORT_MODES) {
  describe(`connect over ${mode.name}`, () => {
    test('"/" without auth: connect fires, id is set, "auth" echoes {}', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = clients.create(mode);
      let connect_events = 0;
      client.socket.on("connect", () => connect_events++);
      await connect(client);
      assert.equal(connect_events, 1);
      assert.equal(typeof client.socket.id, "string");
      assert.ok(client.socket.id.length > 0, "socket.id should not be empty");
      const [auth] = await client.inbox.next("auth");
      assert.deepStrictEqual(auth, {});
    });

    test('"/custom" with an auth payload: "auth" echoes it', TEST, async (t) => {
      const clients = new Clients(t, server);
      const auth = { token: "abc.def.ghi", user: { id: 42, name: "Zoë 🚀" }, list: [1, "two", null, true] };
      const client = await clients.connect(mode, { nsp: "/custom", auth });
      assert.equal(client.socket.connected, true);
      assert.ok(client.socket.id, "socket.id should be set");
      const [echoed] = await client.inbox.next("auth");
      assert.deepStrictEqual(echoed, auth);
    });

    test('"/" with an auth payload: "auth" echoes it', TEST, async (t) => {
      const clients = new Clients(t, server);
      const auth = { token: "t-1", nested: { deep: { deeper: [0.5, -7] } } };
      const client = await clients.connect(mode, { auth });
      const [echoed] = await client.inbox.next("auth");
      assert.deepStrictEqual(echoed, auth);
    });

    test("the socket id is the socket's own room and differs between clients", TEST, async (t) => {
      const clients = new Clients(t, server);
      const a = await clients.connect(mode);
      const b = await clients.connect(mode);
      assert.notEqual(a.socket.id, b.socket.id);
      assert.deepStrictEqual(await rooms(a), [a.socket.id]);
      assert.deepStrictEqual(await rooms(b), [b.socket.id]);
    });

    test('"/" and "/custom" multiplexed over one connection stay separate', TEST, async (t) => {
      const clients = new Clients(t, server);
      const [main, custom] = clients.multiplexed(mode, ["/", "/custom"], { auth: { who: "both" } });
      const connected = Promise.all([
        once(main.socket, "connect", { what: 'multiplexed "/" connecting', fail_on: ["connect_error"] }),
        once(custom.socket, "connect", { what: 'multiplexed "/custom" connecting', fail_on: ["connect_error"] }),
      ]);
      main.socket.connect();
      custom.socket.connect();
      await connected;
      assert.equal(main.socket.io, custom.socket.io, "both sockets share one manager");
      assert.notEqual(main.socket.id, custom.socket.id);
      assert.deepStrictEqual((await main.inbox.next("auth"))[0], { who: "both" });
      assert.deepStrictEqual((await custom.inbox.next("auth"))[0], { who: "both" });

      main.socket.emit("message", "for main");
      custom.socket.emit("message", "for custom");
      assert_same(await main.inbox.next("message-back"), ["for main"]);
      assert_same(await custom.inbox.next("message-back"), ["for custom"]);
      assert.deepStrictEqual(await rooms(main), [main.socket.id]);
      assert.deepStrictEqual(await rooms(custom), [custom.socket.id]);

      // Each namespace got exactly its own echo.
      await fence(main, [main]);
      await fence(custom, [custom]);
      assert.equal(main.inbox.all("message-back").length, 1);
      assert.equal(custom.inbox.all("message-back").length, 1);
    });

    test('an unknown namespace is refused with "Invalid namespace"', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = clients.create(mode, { nsp: "/does-not-exist" });
      const failed = once(client.socket, "connect_error", {
        what: "connect_error for an unknown namespace",
        fail_on: ["connect"],
      });
      client.socket.connect();
      const [error] = await failed;
      assert.equal(error.message, "Invalid namespace");
      assert.equal(client.socket.connected, false);
      assert.equal(client.socket.id, undefined);
    });

    test("an unknown namespace does not break a valid one on the same connection", TEST, async (t) => {
      const clients = new Clients(t, server);
      const [bad, good] = clients.multiplexed(mode, ["/nope", "/"]);
      const refused = once(bad.socket, "connect_error", { what: 'connect_error for "/nope"', fail_on: ["connect"] });
      const accepted = once(good.socket, "connect", { what: 'multiplexed "/" connecting', fail_on: ["connect_error"] });
      bad.socket.connect();
      good.socket.connect();
      const [error] = await refused;
      assert.equal(error.message, "Invalid namespace");
      await accepted;
      assert.deepStrictEqual(await request(good, "message-with-ack", "still fine"), "still fine");
    });
  });
}
