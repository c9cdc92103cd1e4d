// Transports: each mode ends on the transport it should, and the polling ->
// websocket upgrade loses, duplicates and reorders nothing, in either direction.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NodeWebSocket, NodeXHR } from "socket.io-client";
import { http_request, json_body } from "./support/http.mjs";
import { start_server } from "./support/server.mjs";
import { Clients, TRANSPORT_MODES, assert_same, fence, once, request, request_all, wait_connected } from "./support/client.mjs";

let server;
before(async () => {
  server = await start_server();
});
after(async () => {
  await server?.stop();
});

const TEST = { timeout: 20_000 };
const UPGRADE_MODE = TRANSPORT_MODES.find((m) => m.name === "polling+upgrade");
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

// The stock websocket transport, except that it opens (and so starts the
// upgrade probe) only when the test says: the test can then put messages on
// the wire before, during and after the upgrade instead of hoping for timing.
function gated_websocket() {
  let open_gate;
  const gate = new Promise((resolve) => {
    open_gate = resolve;
  });
  class GatedWebSocket extends NodeWebSocket {
    doOpen() {
      gate.then(() => {
        if (this.readyState === "opening") super.doOpen();
      });
    }
  }
  return { GatedWebSocket, open_gate };
}

// Tracks which phase of the upgrade the engine is in.
function watch_phases(engine) {
  const state = { phase: "polling" };
  engine.on("upgrading", () => {
    state.phase = "upgrading";
  });
  engine.on("upgrade", () => {
    state.phase = "websocket";
  });
  return state;
}

function numbered_message(i) {
  // Every 10th message carries a binary attachment: attachments and their
  // placeholder packet must not be split across the two transports.
  return i % 10 === 0 ? [i, `message ${i}`, Buffer.from([i & 0xff, 7])] : [i, `message ${i}`];
}

async function expect_echoes_in_order(client, total) {
  for (let i = 0; i < total; i++) {
    const args = await client.inbox.next("message-back");
    assert_same(args, numbered_message(i), `echo ${i} of ${total} (lost or out of order)`);
  }
  await fence(client, [client]);
  assert.equal(client.inbox.all("message-back").length, total, "no echo duplicated");
}

for (const mode of TRANSPORT_MODES) {
  describe(`transport over ${mode.name}`, () => {
    test(`the connection ends on ${mode.final_transport}`, TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = clients.create(mode);
      client.socket.connect();
      const engine = client.socket.io.engine;
      const upgraded =
        mode.name === "polling+upgrade" ? once(engine, "upgrade", { what: "engine upgrade to websocket" }) : null;
      const opened_on = await once(engine, "open", { what: "engine open" }).then(() => engine.transport.name);
      await wait_connected(client);

      if (mode.name === "polling+upgrade") {
        assert.equal(opened_on, "polling", "the upgrade mode starts on polling");
        const [transport] = await upgraded;
        assert.equal(transport.name, "websocket");
      } else {
        assert.equal(opened_on, mode.final_transport);
      }
      assert.equal(await request(client, "message-with-ack", "round trip"), "round trip");
      assert.equal(engine.transport.name, mode.final_transport);
    });
  });
}

describe("the polling -> websocket upgrade", () => {
  test("the handshake offers the websocket upgrade", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = clients.create(UPGRADE_MODE, { transports: ["polling"] });
    client.socket.connect();
    const engine = client.socket.io.engine;
    const [handshake] = await once(engine, "handshake", { what: "engine handshake" });
    assert.deepStrictEqual(handshake.upgrades, ["websocket"]);
    await wait_connected(client);
    assert.equal(engine.transport.name, "polling", "a polling-only client never upgrades");
  });

  test("200 messages sent before, during and after the upgrade echo back in order, once", TEST, async (t) => {
    const clients = new Clients(t, server);
    const { GatedWebSocket, open_gate } = gated_websocket();
    const client = clients.create(UPGRADE_MODE, { transports: [NodeXHR, GatedWebSocket] });
    client.socket.connect();
    const engine = client.socket.io.engine;
    const state = watch_phases(engine);
    const upgraded = once(engine, "upgrade", { what: "engine upgrade to websocket", timeout: 10_000 });
    upgraded.catch(() => {});
    await wait_connected(client);
    assert.equal(engine.transport.name, "polling");

    const TOTAL = 200;
    const sent = { polling: 0, probing: 0, upgrading: 0, websocket: 0 };
    let i = 0;
    const send = (phase) => {
      client.socket.emit("message", ...numbered_message(i++));
      sent[phase]++;
    };

    while (i < 60) {
      send("polling");
      await tick();
    }
    open_gate();
    while (i < TOTAL - 30 && state.phase !== "websocket") {
      send(state.phase === "polling" ? "probing" : state.phase);
      await tick();
    }
    await upgraded;
    while (i < TOTAL) {
      send("websocket");
      await tick();
    }

    assert.equal(engine.transport.name, "websocket");
    assert.ok(sent.probing + sent.upgrading > 0, `messages sent while upgrading: ${JSON.stringify(sent)}`);
    if (process.env.E2E_DEBUG) console.log("sent per phase", sent);
    assert.ok(sent.websocket > 0, `messages sent after the upgrade: ${JSON.stringify(sent)}`);
    await expect_echoes_in_order(client, TOTAL);
  });

  test("200 messages sent from the connect event on echo back in order, once", TEST, async (t) => {
    // Ungated: whatever the server's own upgrade timing is.
    const clients = new Clients(t, server);
    const client = clients.create(UPGRADE_MODE);
    client.socket.connect();
    const upgraded = once(client.socket.io.engine, "upgrade", { what: "engine upgrade to websocket" });
    upgraded.catch(() => {});
    await wait_connected(client);
    for (let i = 0; i < 200; i++) {
      client.socket.emit("message", ...numbered_message(i));
      if (i % 4 === 3) await tick();
    }
    await upgraded;
    assert.equal(client.socket.io.engine.transport.name, "websocket");
    await expect_echoes_in_order(client, 200);
  });

  test("acks and server-to-client asks in flight across the upgrade all resolve", TEST, async (t) => {
    const clients = new Clients(t, server);
    const { GatedWebSocket, open_gate } = gated_websocket();
    const client = clients.create(UPGRADE_MODE, { transports: [NodeXHR, GatedWebSocket] });
    client.socket.on("double", (n, callback) => callback(n * 2));
    client.socket.connect();
    const upgraded = once(client.socket.io.engine, "upgrade", { what: "engine upgrade to websocket", timeout: 10_000 });
    upgraded.catch(() => {});
    await wait_connected(client);

    const pending = [];
    for (let n = 0; n < 100; n++) {
      if (n === 20) open_gate();
      pending.push(request_all(client, "message-with-ack", n, { n }));
      pending.push(request(client, "ask", { event: "double", args: [n], timeout: 5_000 }));
      await tick();
    }
    await upgraded;
    const results = await Promise.all(pending);
    for (let n = 0; n < 100; n++) {
      assert.deepStrictEqual(results[2 * n], [n, { n }], `ack ${n}`);
      assert.deepStrictEqual(results[2 * n + 1], { response: [n * 2] }, `ask ${n}`);
    }
    assert.equal(client.socket.io.engine.transport.name, "websocket");
  });

  test("a polling request for a session that has upgraded is refused with 400", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = clients.create(UPGRADE_MODE);
    client.socket.connect();
    const engine = client.socket.io.engine;
    const upgraded = once(engine, "upgrade", { what: "engine upgrade to websocket" });
    await wait_connected(client);
    await upgraded;
    // The client reports the upgrade once it has *sent* the upgrade packet; an answer
    // over the websocket proves the server has read it (one connection, in order).
    assert.equal(await request(client, "message-with-ack", "upgraded"), "upgraded");
    const response = await http_request(server, { query: { EIO: "4", transport: "polling", sid: engine.id } });
    assert.equal(response.status, 400);
    assert.deepStrictEqual(json_body(response), { code: 3, message: "Bad request" });
    // The refused request does not harm the upgraded session.
    assert.equal(await request(client, "message-with-ack", "still up"), "still up");
  });
});
