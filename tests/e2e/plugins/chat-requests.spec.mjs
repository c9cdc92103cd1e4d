// Direct messages with message requests (#14, seed 002) with real socket.io-client
// users, on SQLite and PostgreSQL: chat's direct conversations asking the social
// graph (chat's `message_requests`, social's view social_graph_v1). A stranger's
// message waits in the recipient's requests (accept, reject, answer, or follow the
// sender), blocks refuse both ways, the sender's acks say what happened, and the
// recipient's choice stays theirs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { unique } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";
import { ok, refused, users_for } from "./social_helpers.mjs";

// Proves an event did NOT arrive without sleeping: the server queues an event to a
// socket before it answers the ack of the request that caused it, and a later ack to
// that socket queues behind it. Once each device got an answer of its own, whatever
// was sent to it before has arrived.
async function settled(devices) {
  await Promise.all(devices.map((device) => ok(device, "chat:rooms")));
}

function room_ids(rooms) {
  return rooms.rooms.map((room) => room.id);
}

// Opens a's direct conversation with b and sends `text`; returns {room, sent}.
async function write(a, b, text) {
  const { room } = await ok(a, "chat:direct", { user: b.user });
  const sent = await ok(a, "chat:send", { room: room.id, text });
  return { room, sent };
}

for (const database of databases()) {
  describe(`chat message requests on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [{ name: "social" }, { name: "chat", config: { message_requests: true, rate_limit_messages: 1000 } }],
      });
    });
    after(() => d?.stop());

    it("keeps a stranger's message in requests, shows it to the sender's devices, and opens on accept", async (t) => {
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const alice2 = await users.connect(alice.user);
      const bob = await users.connect(unique("bob"));
      const bob2 = await users.connect(bob.user);

      const opened = await ok(alice, "chat:direct", { user: bob.user });
      assert.equal(opened.created, true);
      assert.equal(opened.state, "active");
      const room = opened.room.id;
      await ok(alice, "chat:join", { room });
      await ok(alice2, "chat:join", { room });

      const sent = await ok(alice, "chat:send", { room, text: "hi, we met at the talk" });
      assert.equal(sent.status, "request");
      assert.equal((await alice2.inbox.next("chat:message"))[0].text, "hi, we met at the talk");
      for (const device of [bob, bob2]) {
        const [notice] = await device.inbox.next("chat:request");
        assert.equal(notice.room.id, room);
        assert.deepEqual(notice.room.users, [alice.user, bob.user].sort());
        assert.equal(notice.from, alice.user);
        assert.equal(notice.message.id, sent.id);
        assert.equal(notice.message.text, "hi, we met at the talk");
      }
      await settled([bob, bob2]);
      assert.equal(bob.inbox.all("chat:invited").length, 0, "a request is not an invitation");
      assert.equal(bob.inbox.all("chat:message").length, 0);

      // Listed as a request, not among the rooms.
      assert.ok(!room_ids(await ok(bob, "chat:rooms")).includes(room));
      const { requests, hasMore } = await ok(bob, "chat:requests");
      assert.equal(hasMore, false);
      assert.equal(requests.length, 1);
      assert.equal(requests[0].room.id, room);
      assert.equal(requests[0].from, alice.user);
      assert.equal(requests[0].message.text, "hi, we met at the talk");
      assert.deepEqual(requests[0].message.reactions, {});

      // Read without the sender knowing: history yes; joining, read marks, reactions wait.
      assert.deepEqual((await ok(bob, "chat:history", { room })).messages.map((m) => m.text), ["hi, we met at the talk"]);
      assert.equal(await refused(bob, "chat:join", { room }), "forbidden");
      assert.equal(await refused(bob, "chat:read", { room, message: sent.id }), "forbidden");
      assert.equal(await refused(bob, "chat:react", { message: sent.id, emoji: "👍" }), "forbidden");
      assert.equal(await refused(bob, "typing:start", { room }), "forbidden");
      assert.deepEqual((await ok(alice, "chat:join", { room })).reads, []);
      const again = await ok(bob, "chat:direct", { user: alice.user });
      assert.deepEqual([again.room.id, again.created, again.state], [room, false, "request"]);

      assert.equal((await ok(bob, "chat:request_accept", { room })).room.id, room);
      for (const device of [alice, alice2, bob2])
        assert.deepEqual((await device.inbox.next("chat:request_accepted"))[0], { room, user: bob.user });
      assert.equal(bob.inbox.all("chat:request_accepted").length, 0, "the accepting socket has its ack");
      assert.equal(await refused(bob, "chat:request_accept", { room }), "not_found");
      assert.deepEqual((await ok(bob, "chat:requests")).requests, []);
      assert.ok(room_ids(await ok(bob, "chat:rooms")).includes(room));

      await ok(bob, "chat:join", { room });
      const next = await ok(alice, "chat:send", { room, text: "great" });
      assert.equal(next.status, "sent");
      assert.equal((await bob.inbox.next("chat:message"))[0].text, "great");
      await settled([bob2]);
      assert.equal(bob2.inbox.all("chat:request").length, 1, "an open conversation sends no more requests");
      await ok(bob, "chat:read", { room, message: next.id });
    });

    it("lets a follower's messages straight through, and following the sender opens a waiting request", async (t) => {
      const users = users_for(t, d);
      const carol = await users.connect(unique("carol"));
      const dave = await users.connect(unique("dave"));
      await ok(carol, "social:follow", { userId: dave.user });
      const opened = await ok(dave, "chat:direct", { user: carol.user });
      assert.equal((await carol.inbox.next("chat:invited"))[0].room.id, opened.room.id);
      assert.equal((await ok(dave, "chat:send", { room: opened.room.id, text: "hello" })).status, "sent");
      assert.equal((await ok(carol, "chat:direct", { user: dave.user })).state, "active");

      const erin = await users.connect(unique("erin"));
      const frank = await users.connect(unique("frank"));
      const { room, sent } = await write(erin, frank, "first");
      assert.equal(sent.status, "request");
      await frank.inbox.next("chat:request");
      await ok(frank, "social:follow", { userId: erin.user });
      assert.equal((await ok(erin, "chat:send", { room: room.id, text: "second" })).status, "sent");
      assert.equal((await frank.inbox.next("chat:invited"))[0].room.id, room.id);
      await settled([frank]);
      assert.equal(frank.inbox.all("chat:request").length, 1);
      assert.ok(room_ids(await ok(frank, "chat:rooms")).includes(room.id));
      assert.deepEqual((await ok(frank, "chat:join", { room: room.id })).messages.map((m) => m.text), ["first", "second"]);
    });

    it("takes an answer as acceptance, and makes no request when both write first at once", async (t) => {
      const users = users_for(t, d);
      const gina = await users.connect(unique("gina"));
      const hank = await users.connect(unique("hank"));
      const hank2 = await users.connect(hank.user);
      const { room } = await write(gina, hank, "are you coming?");
      await ok(gina, "chat:join", { room: room.id });
      await hank.inbox.next("chat:request");

      const answer = await ok(hank, "chat:send", { room: room.id, text: "yes" });
      assert.equal(answer.status, "sent");
      assert.deepEqual((await gina.inbox.next("chat:request_accepted"))[0], { room: room.id, user: hank.user });
      assert.deepEqual((await hank2.inbox.next("chat:request_accepted"))[0], { room: room.id, user: hank.user });
      assert.equal((await gina.inbox.next("chat:message"))[0].text, "yes");
      assert.equal((await ok(gina, "chat:send", { room: room.id, text: "great" })).status, "sent");
      await ok(hank, "chat:join", { room: room.id });

      // Strangers both opening and writing at the same moment: one room, no request left.
      const ivy = await users.connect(unique("ivy"));
      const jack = await users.connect(unique("jack"));
      const [a, b] = await Promise.all([write(ivy, jack, "hey"), write(jack, ivy, "hey!")]);
      assert.equal(a.room.id, b.room.id);
      assert.deepEqual((await ok(ivy, "chat:requests")).requests, []);
      assert.deepEqual((await ok(jack, "chat:requests")).requests, []);
      assert.equal((await ok(ivy, "chat:send", { room: a.room.id, text: "so" })).status, "sent");
      assert.equal((await ok(jack, "chat:send", { room: a.room.id, text: "so!" })).status, "sent");
    });

    it("declines without telling the sender, whose acks do not change; accepting or following reopens", async (t) => {
      const users = users_for(t, d);
      const ivan = await users.connect(unique("ivan"));
      const judy = await users.connect(unique("judy"));
      const judy2 = await users.connect(judy.user);
      const { room } = await write(ivan, judy, "buy my course");
      await ok(ivan, "chat:join", { room: room.id });
      await judy.inbox.next("chat:request");
      await judy2.inbox.next("chat:request");

      assert.deepEqual(await ok(judy, "chat:request_reject", { room: room.id }), { room: room.id });
      assert.deepEqual((await judy2.inbox.next("chat:request_rejected"))[0], { room: room.id });
      assert.equal(await refused(judy, "chat:request_reject", { room: room.id }), "not_found");
      assert.deepEqual((await ok(judy, "chat:requests")).requests, []);
      assert.ok(!room_ids(await ok(judy, "chat:rooms")).includes(room.id));

      // The sender sees exactly what a waiting request shows; the recipient hears nothing.
      assert.equal((await ok(ivan, "chat:send", { room: room.id, text: "still there?" })).status, "request");
      assert.equal((await ok(judy, "chat:direct", { user: ivan.user })).state, "declined");
      await settled([ivan, judy, judy2]);
      assert.equal(ivan.inbox.all("chat:request_rejected").length, 0);
      assert.equal(judy.inbox.all("chat:request").length, 1);
      assert.equal(judy2.inbox.all("chat:request").length, 1);
      assert.equal(await refused(judy, "chat:join", { room: room.id }), "forbidden");

      // Changing one's mind: everything is still there.
      await ok(judy, "chat:request_accept", { room: room.id });
      assert.deepEqual((await ivan.inbox.next("chat:request_accepted"))[0], { room: room.id, user: judy.user });
      assert.deepEqual((await ok(judy, "chat:join", { room: room.id })).messages.map((m) => m.text), ["buy my course", "still there?"]);

      // Following the sender after declining opens the conversation at their next message.
      const kim = await users.connect(unique("kim"));
      const leo = await users.connect(unique("leo"));
      const first = await write(kim, leo, "hello leo");
      await leo.inbox.next("chat:request");
      await ok(leo, "chat:request_reject", { room: first.room.id });
      await ok(leo, "social:follow", { userId: kim.user });
      assert.equal((await ok(kim, "chat:send", { room: first.room.id, text: "hello again" })).status, "sent");
      assert.equal((await leo.inbox.next("chat:invited"))[0].room.id, first.room.id);
      await ok(leo, "chat:join", { room: first.room.id });
    });

    it("refuses direct conversations and every write across a block, either way, and keeps history", async (t) => {
      const users = users_for(t, d);
      const mike = await users.connect(unique("mike"));
      const nina = await users.connect(unique("nina"));
      await ok(nina, "social:follow", { userId: mike.user });
      const { room, sent } = await write(mike, nina, "hi nina");
      assert.equal(sent.status, "sent");
      await ok(nina, "chat:send", { room: room.id, text: "hi mike" });

      await ok(nina, "social:block", { userId: mike.user });
      for (const [device, other] of [[mike, nina], [nina, mike]]) {
        assert.equal(await refused(device, "chat:direct", { user: other.user }), "forbidden");
        assert.equal(await refused(device, "chat:send", { room: room.id, text: "hello?" }), "forbidden");
      }
      const refusal = await new Promise((resolve) =>
        mike.socket.emit("chat:send", { room: room.id, text: "hello?" }, (error) => resolve(error)));
      assert.equal(refusal.message, "not possible with this user", "the same words whoever blocked whom");
      assert.equal(await refused(mike, "chat:edit", { message: sent.id, text: "hello, fixed" }), "forbidden");
      assert.equal(await refused(mike, "chat:react", { message: sent.id, emoji: "👍" }), "forbidden");
      assert.deepEqual((await ok(mike, "chat:history", { room: room.id })).messages.map((m) => m.text), ["hi nina", "hi mike"]);

      // A block before any conversation: no room is made.
      const oscar = await users.connect(unique("oscar"));
      await ok(oscar, "social:block", { userId: mike.user });
      assert.equal(await refused(mike, "chat:direct", { user: oscar.user }), "forbidden");
      assert.equal(await refused(oscar, "chat:direct", { user: mike.user }), "forbidden");
      assert.deepEqual((await ok(oscar, "chat:rooms")).rooms.filter((r) => r.kind === "direct"), []);

      // Lifted: writing works again; the block ended nina's follow, but her side was open already.
      await ok(nina, "social:unblock", { userId: mike.user });
      assert.equal((await ok(mike, "chat:send", { room: room.id, text: "thanks" })).status, "sent");
    });

    it("pages requests, lists only those with a live message, and refuses bad payloads", async (t) => {
      const users = users_for(t, d);
      const star = await users.connect(unique("star"));
      const fans = [];
      for (const name of ["fan-a", "fan-b", "fan-c"]) {
        const fan = await users.connect(unique(name));
        fans.push({ fan, ...(await write(fan, star, `hello from ${name}`)) });
      }
      const silent = await users.connect(unique("silent"));
      await ok(silent, "chat:direct", { user: star.user });
      const deleted = await users.connect(unique("deleted"));
      const gone = await write(deleted, star, "oops");
      await ok(deleted, "chat:delete", { message: gone.sent.id });

      const first = await ok(star, "chat:requests", { limit: 2 });
      assert.equal(first.hasMore, true);
      assert.deepEqual(first.requests.map((r) => r.from), [fans[2].fan.user, fans[1].fan.user]);
      const rest = await ok(star, "chat:requests", { limit: 2, before: first.requests[1].room.id });
      assert.equal(rest.hasMore, false);
      assert.deepEqual(rest.requests.map((r) => r.from), [fans[0].fan.user]);
      assert.equal(rest.requests[0].message.text, "hello from fan-a");

      const { room: lobby } = await ok(star, "chat:create", { name: "Lobby" });
      const { room: other } = await write(fans[0].fan, fans[1].fan, "between fans");
      for (const event of ["chat:request_accept", "chat:request_reject"]) {
        for (const payload of [undefined, {}, { room: "1" }, { room: 0 }, { room: -3 }, { room: 1.5 }, []])
          assert.equal(await refused(star, event, payload), "invalid_payload", `${event} ${JSON.stringify(payload)}`);
        assert.equal(await refused(star, event, { room: 999999999 }), "not_found");
        assert.equal(await refused(star, event, { room: lobby.id }), "forbidden", "not a direct conversation");
        assert.equal(await refused(star, event, { room: other.id }), "forbidden", "not a member");
        assert.equal(await refused(fans[0].fan, event, { room: fans[0].room.id }), "not_found", "the sender has no request");
      }
      for (const payload of [{ limit: 0 }, { limit: 101 }, { limit: "2" }, { before: 0 }, { before: "x" }, "x"])
        assert.equal(await refused(star, "chat:requests", payload), "invalid_payload", JSON.stringify(payload));

      // Still serving everyone after all that.
      assert.equal((await ok(star, "chat:requests")).requests.length, 3);
    });
  });

  describe(`chat message requests' switch on ${database}`, () => {
    it("is off by default: a stranger's message is delivered as before", async (t) => {
      const d = await start_deployment({ database, plugins: [{ name: "social" }, { name: "chat" }] });
      t.after(() => d.stop());
      const users = users_for(t, d);
      const alice = await users.connect(unique("alice"));
      const bob = await users.connect(unique("bob"));
      await ok(bob, "social:block", { userId: alice.user });
      const { room, sent } = await write(alice, bob, "hi");
      assert.equal(sent.status, "sent");
      assert.equal((await bob.inbox.next("chat:invited"))[0].room.id, room.id);
      assert.deepEqual((await ok(bob, "chat:requests")).requests, []);
    });

    it("stops the start, saying what to do, when the social plugin is not enabled", async () => {
      await assert.rejects(
        start_deployment({ database, plugins: [{ name: "chat", config: { message_requests: true } }] }),
        (error) => {
          assert.match(error.message, /social_graph_v1/);
          assert.match(error.message, /enable the social plugin/);
          return true;
        });
    });
  });
}
