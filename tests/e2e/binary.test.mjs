// Binary attachments: Buffer, Uint8Array and ArrayBuffer at several nesting
// places, several attachments in one packet, a ~100 KB buffer, binary in acks
// both ways and in a broadcast — over each transport mode.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { start_server } from "./support/server.mjs";
import {
  Clients,
  TRANSPORT_MODES,
  assert_same,
  is_binary,
  join,
  request,
  request_all,
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

const every_byte = () => Buffer.from(Array.from({ length: 256 }, (_, i) => i));

for (const mode of TRANSPORT_MODES) {
  describe(`binary over ${mode.name}`, () => {
    test("a Buffer as the only argument", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const payload = every_byte();
      client.socket.emit("message", payload);
      const echoed = await client.inbox.next("message-back");
      assert.equal(echoed.length, 1);
      assert.ok(is_binary(echoed[0]), "the echo is binary, not a placeholder or text");
      assert_same(echoed, [payload]);
    });

    test("Uint8Array and ArrayBuffer nested in objects and arrays", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const args = [
        "before",
        { data: new Uint8Array([1, 2, 3]), meta: { name: "file.bin", size: 3 } },
        [1, Buffer.from("in an array"), { deep: { deeper: [new Uint8Array([255, 0, 128]).buffer] } }],
        "after ü",
      ];
      client.socket.emit("message", ...args);
      const echoed = await client.inbox.next("message-back");
      assert_same(echoed, args);
      assert.ok(is_binary(echoed[1].data));
      assert.ok(is_binary(echoed[2][1]));
      assert.ok(is_binary(echoed[2][2].deep.deeper[0]));
    });

    test("several attachments in one event, including an empty one", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const parts = [Buffer.alloc(0), Buffer.from([0]), randomBytes(10), randomBytes(1000), every_byte()];
      const args = [...parts, { again: parts[2], list: [parts[3], null, parts[1]] }];
      client.socket.emit("message", ...args);
      assert_same(await client.inbox.next("message-back"), args);
    });

    test("a ~100 KB buffer round-trips byte for byte", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const big = randomBytes(100 * 1024);
      client.socket.emit("message", { file: big, name: "big.bin" }, "tail");
      const [object, tail] = await client.inbox.next("message-back");
      assert.equal(tail, "tail");
      assert.equal(object.name, "big.bin");
      assert.ok(is_binary(object.file));
      assert.equal(Buffer.compare(Buffer.from(object.file), big), 0, "100 KB buffer differs after the round trip");
    });

    test("binary and text events keep their order", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const sent = [];
      for (let i = 0; i < 20; i++) {
        const args = i % 2 ? [i, Buffer.from([i, i, i])] : [i, `text ${i}`];
        sent.push(args);
        client.socket.emit("message", ...args);
      }
      for (const args of sent) assert_same(await client.inbox.next("message-back"), args);
    });

    test("binary in a client-to-server ack", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const args = [Buffer.from("ack me"), { nested: new Uint8Array([9, 8, 7]) }, "text", 5];
      const answer = await request_all(client, "message-with-ack", ...args);
      assert_same(answer, args);
      assert.ok(is_binary(answer[0]));
      assert.ok(is_binary(answer[1].nested));
    });

    test("binary in a server-to-client event and the client's ack", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const question = randomBytes(64);
      let received;
      client.socket.on("reverse", (buffer, label, callback) => {
        received = buffer;
        callback(Buffer.from(buffer).reverse(), { label, copy: new Uint8Array(buffer) });
      });
      const result = await request(client, "ask", { event: "reverse", args: [question, "q1"], timeout: 2_000 });
      assert.ok(is_binary(received), "the server's event argument arrived as binary");
      assert_same(received, question);
      assert_same(result, { response: [Buffer.from(question).reverse(), { label: "q1", copy: question }] });
    });

    test("binary in a room broadcast reaches every member", TEST, async (t) => {
      const clients = new Clients(t, server);
      const room = unique("bin-room");
      const members = [await clients.connect(mode), await clients.connect(mode), await clients.connect(mode)];
      for (const member of members) await join(member, room);
      const payload = { blob: randomBytes(2048), parts: [Buffer.from("a"), Buffer.from("b")] };
      await server_emit(members[0], { to: room, event: "bin-broadcast", args: [payload, "label"] });
      for (const member of members) {
        assert_same(await member.inbox.next("bin-broadcast"), [payload, "label"], `${member.label}`);
      }
    });
  });
}
