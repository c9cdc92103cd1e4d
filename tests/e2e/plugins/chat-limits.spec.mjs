// The chat plugin's defences, on SQLite and PostgreSQL: payloads of the wrong shape,
// text that is too long, banned words (rejected or masked), the per-user send rate
// limit, the edit and delete windows, anonymous callers, and the deployment YAML
// enabling, configuring or leaving out the plugin. Nothing a client sends may stop
// the server or touch another room.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, DEFAULT_TIMEOUT_MS } from "../support/client.mjs";
import { databases, start_deployment } from "../support/deployment.mjs";

const WEBSOCKET = { name: "websocket", options: { transports: ["websocket"] } };

function call(client, event, ...payload) {
  return new Promise((resolve, reject) => {
    client.socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, ...payload, (timeout, ...args) => {
      if (timeout) reject(new Error(`${client.label}: no ack for "${event}"`));
      else resolve(args);
    });
  });
}

async function ok(client, event, payload) {
  const args = await call(client, event, payload);
  assert.equal(args[0], null, `${client.label} ${event}: ${JSON.stringify(args[0])}`);
  return args[1];
}

async function refused(client, event, payload, code, label = JSON.stringify(payload)?.slice(0, 80)) {
  const args = await call(client, event, ...(payload === undefined ? [] : [payload]));
  assert.equal(args.length, 1, `${event} ${label} should fail with ${code}, got ${JSON.stringify(args).slice(0, 200)}`);
  assert.equal(args[0].code, code, `${event} ${label}: ${JSON.stringify(args[0])}`);
  assert.equal(typeof args[0].message, "string");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

for (const database of databases()) {
  describe(`chat limits on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_deployment({
        database,
        plugins: [{ name: "chat", config: { rate_limit_messages: 3, rate_limit_window: 2, banned_words: ["darn"] } }],
      });
    });
    after(() => d?.stop());

    const connect = (clients, user, label = user) =>
      clients.connect(WEBSOCKET, { auth: { token: d.token(user) }, label });

    test("payloads of the wrong shape are refused as invalid_payload, and change nothing", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "limits-alice");
      const { room } = await ok(alice, "chat:create", { name: "Shapes" });
      await ok(alice, "chat:join", { room: room.id });
      const { id } = await ok(alice, "chat:send", { room: room.id, text: "the only message" });

      const cases = [
        ["chat:send", undefined],
        ["chat:send", "hello"],
        ["chat:send", [room.id, "hello"]],
        ["chat:send", 42],
        ["chat:send", { text: "no room" }],
        ["chat:send", { room: String(room.id), text: "room as a string" }],
        ["chat:send", { room: -1, text: "negative" }],
        ["chat:send", { room: 0, text: "zero" }],
        ["chat:send", { room: 1.5, text: "fraction" }],
        ["chat:send", { room: 2 ** 64, text: "too big" }],
        ["chat:send", { room: room.id }],
        ["chat:send", { room: room.id, text: 42 }],
        ["chat:send", { room: room.id, text: { nested: true } }],
        ["chat:send", { room: room.id, text: "" }],
        ["chat:send", { room: room.id, text: " \n\t " }],
        ["chat:send", { room: room.id, text: "nul\u0000byte" }],
        ["chat:send", { room: room.id, text: "x".repeat(1001) }],
        ["chat:send", { room: room.id, text: "é".repeat(1001) }],
        ["chat:send", { room: room.id, text: "x".repeat(200_000) }],
        ["chat:join", { room: null }],
        ["chat:join", {}],
        ["chat:leave", { room: "1" }],
        ["chat:history", { room: room.id, limit: 0 }],
        ["chat:history", { room: room.id, limit: 101 }],
        ["chat:history", { room: room.id, before: "last" }],
        ["chat:edit", { message: id }],
        ["chat:edit", { message: String(id), text: "fixed" }],
        ["chat:edit", { message: id, text: "y".repeat(1001) }],
        ["chat:delete", { message: [id] }],
        ["chat:react", { message: id, emoji: 7 }],
        ["chat:react", { message: id, emoji: "x".repeat(33) }],
        ["chat:read", { room: room.id }],
        ["chat:read", { room: room.id, message: true }],
        ["chat:create", {}],
        ["chat:create", { name: "" }],
        ["chat:create", { name: "n".repeat(101) }],
        ["chat:create", { name: "two\nlines" }],
        ["chat:create", { name: "Bad flag", private: "yes" }],
        ["chat:create", { name: "Bad members", members: "bob" }],
        ["chat:create", { name: "Bad members", members: ["bob", 7] }],
        ["chat:create", { name: "Too many", members: Array.from({ length: 101 }, (_, i) => `u${i}`) }],
        ["chat:direct", {}],
        ["chat:direct", { user: 12 }],
        ["chat:direct", { user: "u".repeat(256) }],
        ["chat:invite", { room: room.id }],
        ["chat:remove", { room: room.id, user: ["bob"] }],
        ["typing:start", {}],
        ["typing:stop", { room: "x" }],
      ];
      for (const [event, payload] of cases) await refused(alice, event, payload, "invalid_payload");

      // The longest allowed message counts characters, not bytes.
      await ok(alice, "chat:send", { room: room.id, text: "é".repeat(1000) });
      await ok(alice, "chat:send", { room: room.id, text: "👍".repeat(1000) });
      const { messages } = await ok(alice, "chat:history", { room: room.id });
      assert.equal(messages.length, 3);
      assert.equal(messages[0].text, "the only message");
      assert.equal(messages[1].text, "é".repeat(1000));
      assert.equal(messages[2].text, "👍".repeat(1000));
      assert.deepEqual(messages[0].reactions, {});
      assert.ok(alice.socket.connected, "a bad payload never costs the connection");
    });

    test("a room or message that does not exist is not_found", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "limits-bob");
      await refused(alice, "chat:join", { room: 9_007_199_254_740_991 }, "not_found");
      await refused(alice, "chat:send", { room: 987654321, text: "anyone?" }, "not_found");
      await refused(alice, "chat:history", { room: 987654321 }, "not_found");
      await refused(alice, "chat:invite", { room: 987654321, user: "x" }, "not_found");
      await refused(alice, "chat:delete", { message: 987654321 }, "not_found");
      await refused(alice, "chat:react", { message: 987654321, emoji: "👍" }, "not_found");
    });

    test("sends over the per-user rate limit are refused as rate_limited, on every device", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "limits-carol", "carol phone");
      const alice2 = await connect(clients, "limits-carol", "carol laptop");
      const bob = await connect(clients, "limits-dave");
      const { room } = await ok(alice, "chat:create", { name: "Flood" });
      await ok(bob, "chat:join", { room: room.id });
      await ok(alice, "chat:send", { room: room.id, text: "burst 0" });
      // The server took the first send before its ack came back: the window ends at
      // most two seconds after this.
      const first_acked = Date.now();
      for (let i = 1; i < 3; ++i) await ok(alice, "chat:send", { room: room.id, text: `burst ${i}` });
      await refused(alice, "chat:send", { room: room.id, text: "one too many" }, "rate_limited");
      await refused(alice2, "chat:send", { room: room.id, text: "another device" }, "rate_limited");
      // Another user has a budget of their own.
      await ok(bob, "chat:send", { room: room.id, text: "bob is fine" });
      const { messages } = await ok(bob, "chat:history", { room: room.id });
      assert.deepEqual(messages.map((m) => m.text), ["burst 0", "burst 1", "burst 2", "bob is fine"]);
      // The window slides: two seconds after the first send, sending works again.
      await sleep(Math.max(0, first_acked + 2050 - Date.now()));
      await ok(alice2, "chat:send", { room: room.id, text: "later" });
    });

    test("a banned word refuses the message (banned_words_action: reject), whole words only", async (t) => {
      const clients = new Clients(t, d);
      const alice = await connect(clients, "limits-erin");
      const { room } = await ok(alice, "chat:create", { name: "Clean" });
      await refused(alice, "chat:send", { room: room.id, text: "well DARN it" }, "banned_word");
      const { id } = await ok(alice, "chat:send", { room: room.id, text: "darnation is a word" });
      await refused(alice, "chat:edit", { message: id, text: "darn!" }, "banned_word");
      const { messages } = await ok(alice, "chat:history", { room: room.id });
      assert.deepEqual(messages.map((m) => m.text), ["darnation is a word"]);
    });

    test("an anonymous caller is refused as unauthorized", async (t) => {
      const open = await start_deployment({
        database,
        namespaces: [{ name: "/", anonymous: true }],
        plugins: [{ name: "chat" }],
      });
      t.after(() => open.stop());
      const clients = new Clients(t, open);
      const anonymous = await clients.connect(WEBSOCKET, { label: "anonymous" });
      await refused(anonymous, "chat:create", { name: "Mine" }, "unauthorized");
      await refused(anonymous, "typing:start", { room: 1 }, "unauthorized");
    });
  });

  describe(`chat under random payloads on ${database}`, () => {
    test("hundreds of random payloads: each answered, none an internal error, another room untouched", async (t) => {
      const d = await start_deployment({ database, plugins: [{ name: "chat", config: { rate_limit_messages: 0 } }] });
      t.after(() => d.stop());
      const clients = new Clients(t, d);
      const connect = (user) => clients.connect(WEBSOCKET, { auth: { token: d.token(user) }, label: user });
      const owner = await connect("victim");
      const fuzzers = [await connect("fuzz-a"), await connect("fuzz-b")];

      // A private room the fuzzers do not belong to, with a known state.
      const { room } = await ok(owner, "chat:create", { name: "Untouchable", private: true });
      const kept = await ok(owner, "chat:send", { room: room.id, text: "keep me" });
      await ok(owner, "chat:react", { message: kept.id, emoji: "🔒" });
      await ok(owner, "chat:read", { room: room.id, message: kept.id });
      const before_state = await ok(owner, "chat:join", { room: room.id });

      // Each fuzzer owns a room of its own, so that valid-looking payloads reach
      // the database too.
      const known_ids = [1, 2, 3, 4, 5, room.id, kept.id];
      for (const f of fuzzers) {
        const own = await ok(f, "chat:create", { name: "Playground" });
        await ok(f, "chat:join", { room: own.room.id });
        const seeded = await ok(f, "chat:send", { room: own.room.id, text: "seed" });
        known_ids.push(own.room.id, seeded.id);
      }

      let seed = 0x5eed;
      const random = () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
      const pick = (items) => items[Math.floor(random() * items.length)];
      // Mostly plausible values, so that many payloads pass validation and reach
      // the permission checks and the database; the rest are wrong in every way.
      const id_like = () => random() < 0.6 ? pick(known_ids) : pick([0, -1, 1, 2, 3, room.id, kept.id, kept.id + 1, 1.5, 2 ** 53, 2 ** 63, 1e308,
        "1", String(room.id), null, true, [room.id], { id: 1 }]);
      const string_like = () => random() < 0.5 ? pick(["hi", "👍", ":ok:", "fuzz-a", "fuzz-b", "victim", "a name"]) : pick(["", " ", "hi", "darn", "x".repeat(1001), "é".repeat(999), "\u0000", "\n",
        "👍", ":ok:", "a b", "'; DROP TABLE chat_messages; --", "%s%n", "\u{1F600}x", 7, null, false, ["x"], {}]);
      const value = (depth = 0) => {
        switch (Math.floor(random() * (depth > 2 ? 4 : 6))) {
          case 0: return id_like();
          case 1: return string_like();
          case 2: return pick([null, true, false, 0, -0.5, 42]);
          case 3: return "z".repeat(Math.floor(random() * 3000));
          case 4: return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
          default: return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () =>
            [pick(["room", "message", "text", "user", "emoji", "name", "x"]), value(depth + 1)]));
        }
      };
      // A well-formed payload for the event, then, half of the time, one field
      // replaced by anything at all; sometimes not an object in the first place.
      const users = ["victim", "fuzz-a", "fuzz-b", "someone-else"];
      const good = () => pick(known_ids);
      const text = () => pick(["hi", "👍", "a longer message", "darn", "é".repeat(1000)]);
      const shapes = {
        "chat:rooms": () => ({}),
        "chat:create": () => ({ name: text().slice(0, 50), private: random() < 0.5, members: pick([[], ["fuzz-b"]]) }),
        "chat:direct": () => ({ user: pick(users) }),
        "chat:invite": () => ({ room: good(), user: pick(users) }),
        "chat:remove": () => ({ room: good(), user: pick(users) }),
        "chat:join": () => ({ room: good() }),
        "chat:leave": () => ({ room: good() }),
        "chat:send": () => ({ room: good(), text: text() }),
        "chat:history": () => ({ room: good(), before: good(), limit: pick([1, 10, 100]) }),
        "chat:edit": () => ({ message: good(), text: text() }),
        "chat:delete": () => ({ message: good() }),
        "chat:react": () => ({ message: good(), emoji: pick(["👍", ":ok:", "🔒"]) }),
        "chat:read": () => ({ room: good(), message: good() }),
        "typing:start": () => ({ room: good() }),
        "typing:stop": () => ({ room: good() }),
      };
      const payload = (event) => {
        if (random() < 0.1) return value();
        const out = shapes[event]();
        if (random() < 0.5) {
          const key = pick([...Object.keys(out), "room", "message", "text", "user"]);
          out[key] = pick([id_like, string_like, value])();
        }
        return out;
      };
      const events = ["chat:rooms", "chat:create", "chat:direct", "chat:invite", "chat:remove", "chat:join",
        "chat:leave", "chat:send", "chat:history", "chat:edit", "chat:delete", "chat:react", "chat:read",
        "typing:start", "typing:stop"];
      const expected = new Set(["invalid_payload", "forbidden", "not_found", "too_many_reactions",
        "edit_window_expired", "delete_window_expired", "banned_word"]);

      const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => {
        const event = pick(events);
        const args = random() < 0.05 ? [] : random() < 0.05 ? [payload(event), value()] : [payload(event)];
        return call(fuzzers[i % 2], event, ...args).then((answer) => ({ event, args, answer }));
      }));
      let successes = 0;
      const codes = {};
      for (const { event, args, answer } of answers) {
        const outcome = answer[0] === null ? `${event} ok` : answer[0]?.code;
        codes[outcome] = (codes[outcome] ?? 0) + 1;
        const where = `${event} ${JSON.stringify(args).slice(0, 200)} -> ${JSON.stringify(answer).slice(0, 200)}`;
        if (answer[0] === null) {
          successes += 1;
          assert.equal(answer.length, 2, where);
        } else {
          assert.equal(answer.length, 1, where);
          assert.ok(expected.has(answer[0].code), where);
        }
      }
      t.diagnostic(JSON.stringify(codes));
      assert.ok(successes > 0, "some random payloads were valid");
      for (const f of [owner, ...fuzzers]) assert.ok(f.socket.connected, `${f.label} still connected`);

      const after_state = await ok(owner, "chat:join", { room: room.id });
      assert.deepEqual(after_state.messages, before_state.messages);
      assert.deepEqual(after_state.members, before_state.members);
      assert.deepEqual(after_state.reads, before_state.reads);
      assert.deepEqual(after_state.room, before_state.room);
    });
  });

  describe(`chat configuration on ${database}`, () => {
    test("masking, and the edit and delete windows", async (t) => {
      const d = await start_deployment({
        database,
        plugins: [{
          name: "chat",
          config: { banned_words: ["darn", "Heck"], banned_words_action: "mask", edit_window: 1, delete_window: 1, max_length: 20 },
        }],
      });
      t.after(() => d.stop());
      const clients = new Clients(t, d);
      const alice = await clients.connect(WEBSOCKET, { auth: { token: d.token("alice") }, label: "alice" });
      const bob = await clients.connect(WEBSOCKET, { auth: { token: d.token("bob") }, label: "bob" });
      const { room } = await ok(alice, "chat:create", { name: "Masked" });
      await ok(bob, "chat:join", { room: room.id });

      const sent = await ok(alice, "chat:send", { room: room.id, text: "oh heck, darn" });
      assert.equal(sent.text, "oh ****, ****", "the ack says what was stored");
      assert.equal((await bob.inbox.next("chat:message"))[0].text, "oh ****, ****");
      await refused(alice, "chat:send", { room: room.id, text: "x".repeat(21) }, "invalid_payload");

      const edited = await ok(alice, "chat:edit", { message: sent.id, text: "darn again" });
      assert.equal(edited.text, "**** again");
      const late = await ok(alice, "chat:send", { room: room.id, text: "too late soon" });
      await sleep(1100);
      await refused(alice, "chat:edit", { message: late.id, text: "changed" }, "edit_window_expired");
      await refused(alice, "chat:delete", { message: late.id }, "delete_window_expired");
      const { messages } = await ok(alice, "chat:history", { room: room.id });
      assert.deepEqual(messages.map((m) => m.text), ["**** again", "too late soon"]);
    });

    test("a deployment without the plugin ignores chat events", async (t) => {
      const d = await start_deployment({ database, plugins: [] });
      t.after(() => d.stop());
      const clients = new Clients(t, d);
      const alice = await clients.connect(WEBSOCKET, { auth: { token: d.token("alice") }, label: "alice" });
      const answer = await new Promise((resolve) => {
        alice.socket.timeout(300).emit("chat:create", { name: "Nobody" }, (timeout) => resolve(timeout ? "no ack" : "ack"));
      });
      assert.equal(answer, "no ack");
      assert.ok(alice.socket.connected);
    });

    test("a config value out of range stops the start with the key named", async () => {
      for (const config of [{ banned_words_action: "shout" }, { max_length: 0 }, { typing_timeout: "5s" }]) {
        await assert.rejects(start_deployment({ database, plugins: [{ name: "chat", config }] }), (error) => {
          assert.match(error.message, new RegExp(Object.keys(config)[0]));
          return true;
        });
      }
    });
  });
}
