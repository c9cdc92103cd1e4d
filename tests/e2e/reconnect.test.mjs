// Disconnection and reconnection: the server dropping the Engine.IO connection
// ("drop-me": "transport close", the client reconnects by itself), the server
// disconnecting the socket ("disconnect-me": "io server disconnect", no
// automatic reconnection), and the client disconnecting — over each transport mode.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { start_server } from "./support/server.mjs";
import { Clients, TRANSPORT_MODES, connect, once, request, request_all, rooms } from "./support/client.mjs";

let server;
before(async () => {
  server = await start_server();
});
after(async () => {
  await server?.stop();
});

const TEST = { timeout: 15_000 };

const RECONNECTING = {
  reconnection: true,
  reconnectionDelay: 50,
  reconnectionDelayMax: 100,
  randomizationFactor: 0,
};

// After "io server disconnect" the client must stay down. Nothing can be
// awaited for "nothing happened", so watch for a while: several times the
// reconnection delay above.
const QUIET_WINDOW_MS = 400;

for (const mode of TRANSPORT_MODES) {
  describe(`reconnect over ${mode.name}`, () => {
    test('"drop-me": "transport close", the client reconnects with a new id and works', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode, { ...RECONNECTING, auth: { token: "keep-me" } });
      assert.deepStrictEqual((await client.inbox.next("auth"))[0], { token: "keep-me" });
      const first_id = client.socket.id;

      const disconnected = once(client.socket, "disconnect", { what: "disconnect after drop-me" });
      const reconnected = once(client.socket.io, "reconnect", { what: "manager reconnect after drop-me" });
      client.socket.emit("drop-me");
      const [reason] = await disconnected;
      assert.equal(reason, "transport close");
      const [attempts] = await reconnected;
      assert.ok(attempts >= 1, "reconnect reports its attempt number");
      if (!client.socket.connected) {
        await once(client.socket, "connect", { what: "connect after reconnect" });
      }

      assert.equal(client.socket.connected, true);
      assert.ok(client.socket.id, "a new socket id is set");
      assert.notEqual(client.socket.id, first_id, "the reconnected socket has a new id");
      // A new server-side socket: the connection handler ran again with the same auth.
      assert.deepStrictEqual((await client.inbox.next("auth"))[0], { token: "keep-me" });
      assert.deepStrictEqual(await rooms(client), [client.socket.id]);

      client.socket.emit("message", "after reconnect", 1);
      assert.deepStrictEqual(await client.inbox.next("message-back"), ["after reconnect", 1]);
      assert.deepStrictEqual(await request_all(client, "message-with-ack", "ack", 2), ["ack", 2]);
    });

    test('"drop-me" twice in a row: the client comes back each time', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode, RECONNECTING);
      const ids = new Set([client.socket.id]);
      for (let round = 0; round < 2; round++) {
        const reconnected = once(client.socket, "connect", { what: `reconnect in round ${round}` });
        client.socket.emit("drop-me");
        await reconnected;
        ids.add(client.socket.id);
        assert.equal(await request(client, "message-with-ack", round), round);
      }
      assert.equal(ids.size, 3, "every reconnection gets a new id");
    });

    test('"drop-me" on a multiplexed connection reconnects both namespaces', TEST, async (t) => {
      const clients = new Clients(t, server);
      const [main, custom] = clients.multiplexed(mode, ["/", "/custom"], RECONNECTING);
      await Promise.all([connect(main), connect(custom)]);
      const old_ids = [main.socket.id, custom.socket.id];

      const main_down = once(main.socket, "disconnect", { what: '"/" disconnect' });
      const custom_down = once(custom.socket, "disconnect", { what: '"/custom" disconnect' });
      const main_up = once(main.socket, "connect", { what: '"/" reconnect', timeout: 8_000 });
      const custom_up = once(custom.socket, "connect", { what: '"/custom" reconnect', timeout: 8_000 });
      custom.socket.emit("drop-me");
      assert.deepStrictEqual((await main_down)[0], "transport close");
      assert.deepStrictEqual((await custom_down)[0], "transport close");
      await Promise.all([main_up, custom_up]);
      assert.notEqual(main.socket.id, old_ids[0]);
      assert.notEqual(custom.socket.id, old_ids[1]);
      assert.equal(await request(main, "message-with-ack", "main"), "main");
      assert.equal(await request(custom, "message-with-ack", "custom"), "custom");
    });

    test('"disconnect-me": "io server disconnect" and no automatic reconnection', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode, RECONNECTING);
      const first_id = client.socket.id;
      let reconnect_attempts = 0;
      let connects = 0;
      client.socket.io.on("reconnect_attempt", () => reconnect_attempts++);
      client.socket.on("connect", () => connects++);

      const disconnected = once(client.socket, "disconnect", { what: "disconnect after disconnect-me" });
      client.socket.emit("disconnect-me");
      const [reason] = await disconnected;
      assert.equal(reason, "io server disconnect");
      assert.equal(client.socket.connected, false);
      assert.equal(client.socket.active, false, "the client treats a server disconnect as final");

      await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
      assert.equal(reconnect_attempts, 0, "no reconnection attempt");
      assert.equal(connects, 0, "no automatic reconnect");
      assert.equal(client.socket.connected, false);

      // A manual connect works and gives a new socket.
      await connect(client);
      assert.notEqual(client.socket.id, first_id);
      assert.equal(await request(client, "message-with-ack", "back"), "back");
    });

    test('"disconnect-me" on "/custom" leaves "/" on the same connection up', TEST, async (t) => {
      const clients = new Clients(t, server);
      const [main, custom] = clients.multiplexed(mode, ["/", "/custom"], RECONNECTING);
      await Promise.all([connect(main), connect(custom)]);
      const main_id = main.socket.id;
      let main_disconnects = 0;
      main.socket.on("disconnect", () => main_disconnects++);

      const disconnected = once(custom.socket, "disconnect", { what: '"/custom" disconnect' });
      custom.socket.emit("disconnect-me");
      assert.equal((await disconnected)[0], "io server disconnect");
      assert.equal(await request(main, "message-with-ack", "still here"), "still here");
      assert.equal(main.socket.id, main_id);
      assert.equal(main_disconnects, 0);
    });

    test('a client-side disconnect gives "io client disconnect" and a manual reconnect works', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode, RECONNECTING);
      const first_id = client.socket.id;
      const disconnected = once(client.socket, "disconnect", { what: "client disconnect" });
      client.socket.disconnect();
      assert.equal((await disconnected)[0], "io client disconnect");
      await connect(client);
      assert.notEqual(client.socket.id, first_id);
      client.socket.emit("message", "again");
      assert.deepStrictEqual(await client.inbox.next("message-back"), ["again"]);
    });
  });
}
