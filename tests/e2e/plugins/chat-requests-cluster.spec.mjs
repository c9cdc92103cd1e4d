// Message requests (#14, seed 002) on two nodes over Redis sharing one database: the
// sender on node a, the recipient's devices on a and b. Requests, acceptance and
// answers reach the other node's devices; a block made on one node refuses writes on
// the other at once (the gate reads the database on every write). Real
// socket.io-client users on each node, on SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { redis_available, start_node_pair } from "../support/node_pair.mjs";
import { ok, refused, user_on_both, users_for } from "./social_helpers.mjs";

for (const database of databases()) {
  describe(`chat message requests on two nodes over Redis, ${database}`, { skip: !redis_available() && "no Redis" }, () => {
    let pair;
    before(async () => {
      pair = await start_node_pair({
        database,
        plugins: [{ name: "social" }, { name: "chat", config: { message_requests: true, rate_limit_messages: 1000 } }],
      });
    });
    after(() => pair?.stop());

    it("tells a request, its acceptance and the conversation across nodes", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const [alice, alice_b] = await user_on_both(on_a, on_b, "alice");
      const [bob, bob_a] = await user_on_both(on_b, on_a, "bob");

      const { room } = await ok(alice, "chat:direct", { user: bob.user });
      await ok(alice_b, "chat:join", { room: room.id });
      const sent = await ok(alice, "chat:send", { room: room.id, text: "hello from a" });
      assert.equal(sent.status, "request");
      assert.equal((await alice_b.inbox.next("chat:message"))[0].id, sent.id);
      for (const device of [bob, bob_a]) {
        const [notice] = await device.inbox.next("chat:request");
        assert.deepEqual([notice.room.id, notice.from, notice.message.text], [room.id, alice.user, "hello from a"]);
      }
      assert.equal((await ok(bob_a, "chat:requests")).requests[0].room.id, room.id, "the other node lists it too");

      await ok(bob, "chat:request_accept", { room: room.id });
      for (const device of [alice, alice_b, bob_a])
        assert.deepEqual((await device.inbox.next("chat:request_accepted"))[0], { room: room.id, user: bob.user });
      await ok(bob, "chat:join", { room: room.id });
      assert.equal((await ok(alice, "chat:send", { room: room.id, text: "welcome" })).status, "sent");
      assert.equal((await bob.inbox.next("chat:message"))[0].text, "welcome");
    });

    it("refuses writes on one node as soon as a block is made on the other", async (t) => {
      const on_a = users_for(t, pair.a);
      const on_b = users_for(t, pair.b);
      const carol = await on_a.connect(unique("carol"));
      const dave = await on_b.connect(unique("dave"));
      const { room } = await ok(carol, "chat:direct", { user: dave.user });
      await ok(carol, "chat:send", { room: room.id, text: "hi" });
      await ok(dave, "chat:send", { room: room.id, text: "hi back" });

      await ok(dave, "social:block", { userId: carol.user });
      assert.equal(await refused(carol, "chat:send", { room: room.id, text: "why?" }), "forbidden");
      assert.equal(await refused(carol, "chat:direct", { user: dave.user }), "forbidden");
      await ok(dave, "social:unblock", { userId: carol.user });
      assert.equal((await ok(carol, "chat:send", { room: room.id, text: "ok" })).status, "sent");
    });
  });
}
