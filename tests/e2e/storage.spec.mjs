// The SDK's database calls, from a plugin's pooled handlers, against SQLite and the
// real PostgreSQL of tools/test-services: named parameters, rows as JSON, affected
// counts, stable error codes, transactions that commit or roll back whole, the refusal
// of database calls in inline handlers, and a slow query that holds up nobody else.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { databases } from "./support/deployment.mjs";
import { call, connect_user, fails, is_failure, num, ok, start_probe_deployment } from "./support/store_probe.mjs";

const TEST = { timeout: 30_000 };

for (const database of databases()) {
  describe(`storage on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_probe_deployment({ database });
    });
    after(() => d?.stop());
    const user = (t, name = "alice") => connect_user(t, d, { auth: { token: d.token(name) } });
    const query = async (socket, sql, params) => ok(socket, "probe:query", { sql, params });

    test("the migrations for this dialect ran", TEST, async (t) => {
      const alice = await user(t);
      assert.equal(await ok(alice, "probe:dialect"), database);
    });

    test("named parameters in, rows out as JSON objects with their types", TEST, async (t) => {
      const alice = await user(t);
      const key = `types-${database}`;
      const text = "Zoë 🚀 — \"quotes\" and 'apostrophes'; DROP TABLE store_probe_items; --";
      assert.deepEqual(await ok(alice, "probe:put", { key, value: text, number: 1_700_000_000_123, ratio: -0.125 }), { affected: 1 });
      const row = await ok(alice, "probe:get", { key });
      assert.equal(row.key, key);
      assert.equal(row.value, text, "a value is data, never SQL");
      assert.equal(row.number, 1_700_000_000_123, "BIGINT keeps millisecond timestamps");
      assert.equal(row.ratio, -0.125);
      assert.equal(row.hits, 0);
      assert.equal(typeof row.updated_at, "number");

      assert.deepEqual(await query(alice, "SELECT value FROM store_probe_items WHERE key = :key", { key: `${key}-missing` }), [], "no row: []");
      await ok(alice, "probe:put", { key: `${key}-null`, value: null });
      const [nulls] = await query(alice, "SELECT value, number FROM store_probe_items WHERE key = :key", { key: `${key}-null` });
      assert.deepEqual(nulls, { value: null, number: null });

      // Booleans bind as 1/0, objects and arrays as their JSON text.
      await ok(alice, "probe:exec", {
        sql: "INSERT INTO store_probe_items (key, value, number, updated_at) VALUES (:key, :value, :flag, 0)",
        params: { key: `${key}-json`, value: { list: [1, "two"] }, flag: true },
      });
      const [stored] = await query(alice, "SELECT value, number FROM store_probe_items WHERE key = :key", { key: `${key}-json` });
      assert.deepEqual(JSON.parse(stored.value), { list: [1, "two"] });
      assert.equal(num(stored.number), 1);
    });

    // SQLite's INTEGER is 64-bit: an id or a Unix-millisecond timestamp in a column
    // declared INTEGER must not come back truncated to 32 bits.
    test("64-bit values survive a column declared INTEGER", TEST, async (t) => {
      const alice = await user(t);
      if (database === "postgresql") {
        // PostgreSQL's INTEGER is 32-bit by definition: it refuses rather than truncate.
        await fails(alice, "probe:exec", "db_error", {
          sql: "UPDATE store_probe_items SET hits = :big WHERE key = 'none'",
          params: { big: 5_000_000_000 },
        });
        return;
      }
      await ok(alice, "probe:exec", { sql: "INSERT INTO store_probe_log (id, line) VALUES (:id, 'big id')", params: { id: 5_000_000_000 } });
      assert.deepEqual(await query(alice, "SELECT id FROM store_probe_log WHERE line = 'big id'"), [{ id: 5_000_000_000 }]);
    });

    test("a parameter used twice, and many rows in order", TEST, async (t) => {
      const alice = await user(t);
      for (let i = 0; i < 5; i++) await ok(alice, "probe:put", { key: `order-${i}`, number: i });
      const rows = await query(
        alice,
        "SELECT key, number FROM store_probe_items WHERE key LIKE :prefix AND number >= :min AND number < :min + 3 ORDER BY number DESC",
        { prefix: "order-%", min: 1 },
      );
      assert.deepEqual(rows.map((r) => r.key), ["order-3", "order-2", "order-1"]);
    });

    test("exec reports affected rows", TEST, async (t) => {
      const alice = await user(t);
      for (const key of ["aff-1", "aff-2", "aff-3"]) await ok(alice, "probe:put", { key, number: 7 });
      assert.deepEqual(await ok(alice, "probe:exec", { sql: "UPDATE store_probe_items SET hits = hits + 1 WHERE number = :n", params: { n: 7 } }), { affected: 3 });
      assert.deepEqual(await ok(alice, "probe:exec", { sql: "DELETE FROM store_probe_items WHERE key = :key", params: { key: "aff-1" } }), { affected: 1 });
      assert.deepEqual(await ok(alice, "probe:exec", { sql: "DELETE FROM store_probe_items WHERE key = :key", params: { key: "aff-1" } }), { affected: 0 });
    });

    test("stable error codes: db_constraint, db_error, invalid_payload", TEST, async (t) => {
      const alice = await user(t);
      const insert = "INSERT INTO store_probe_meta (name, value) VALUES (:name, :value)";
      await ok(alice, "probe:exec", { sql: insert, params: { name: "unique-1", value: "a" } });
      await fails(alice, "probe:exec", "db_constraint", { sql: insert, params: { name: "unique-1", value: "b" } });
      await fails(alice, "probe:exec", "db_constraint", { sql: insert, params: { name: "not-null", value: null } });
      await fails(alice, "probe:query", "db_error", { sql: "SELEC nonsense" });
      await fails(alice, "probe:query", "db_error", { sql: "SELECT * FROM store_probe_nowhere" });
      await fails(alice, "probe:query", "invalid_payload", { sql: "SELECT 1 AS one", params: [1, 2] });
      // The failed statements left the connection usable.
      assert.deepEqual(await query(alice, "SELECT value FROM store_probe_meta WHERE name = :name", { name: "unique-1" }), [{ value: "a" }]);
    });

    test("a transaction commits every statement, and sees its own writes", TEST, async (t) => {
      const alice = await user(t);
      const answer = await ok(alice, "probe:transaction", {
        statements: [
          { sql: "INSERT INTO store_probe_items (key, number, updated_at) VALUES ('tx-a', 10, 0)" },
          { sql: "INSERT INTO store_probe_items (key, number, updated_at) VALUES ('tx-b', 20, 0)" },
          { sql: "UPDATE store_probe_items SET number = number + 1 WHERE key IN ('tx-a', 'tx-b')" },
          { sql: "SELECT sum(number) AS total FROM store_probe_items WHERE key IN ('tx-a', 'tx-b')", query: true },
        ],
      });
      assert.deepEqual(answer.results.slice(0, 3), [1, 1, 2]);
      assert.equal(num(answer.results[3][0].total), 32);
      const rows = await query(alice, "SELECT key, number FROM store_probe_items WHERE key IN ('tx-a', 'tx-b') ORDER BY key");
      assert.deepEqual(rows, [{ key: "tx-a", number: 11 }, { key: "tx-b", number: 21 }]);
    });

    test("a transaction whose handler throws is rolled back whole", TEST, async (t) => {
      const alice = await user(t);
      const failure = await fails(alice, "probe:transaction", "aborted", {
        statements: [
          { sql: "INSERT INTO store_probe_items (key, updated_at) VALUES ('rb-a', 0)" },
          { sql: "INSERT INTO store_probe_items (key, updated_at) VALUES ('rb-b', 0)" },
        ],
        fail_after: 2,
      });
      assert.match(failure.message, /rolled back/);
      assert.deepEqual(await query(alice, "SELECT key FROM store_probe_items WHERE key LIKE 'rb-%'"), []);
    });

    test("a transaction with a failing statement is rolled back whole, with the statement's code", TEST, async (t) => {
      const alice = await user(t);
      await fails(alice, "probe:transaction", "db_constraint", {
        statements: [
          { sql: "INSERT INTO store_probe_items (key, updated_at) VALUES ('dup-a', 0)" },
          { sql: "INSERT INTO store_probe_items (key, updated_at) VALUES ('dup-a', 0)" },
        ],
      });
      assert.deepEqual(await query(alice, "SELECT key FROM store_probe_items WHERE key = 'dup-a'"), []);
      // The connection went back to the pool clean: the next transaction works.
      await ok(alice, "probe:transaction", { statements: [{ sql: "INSERT INTO store_probe_items (key, updated_at) VALUES ('dup-a', 0)" }] });
      assert.equal((await query(alice, "SELECT key FROM store_probe_items WHERE key = 'dup-a'")).length, 1);
    });

    test("inline handlers may not touch the database: not_allowed_here", TEST, async (t) => {
      const alice = await user(t);
      const failure = await fails(alice, "probe:inline_query", "not_allowed_here");
      assert.match(failure.message, /inline/);
      await fails(alice, "probe:inline_transaction", "not_allowed_here");
      // The refusal broke nothing: the same socket's pooled calls still work.
      assert.deepEqual(await query(alice, "SELECT 1 AS one").then((rows) => rows.map((r) => num(r.one))), [1]);
    });

    test("writers on several sockets at once all land (the pool, SQLite's locking)", TEST, async (t) => {
      const sockets = await Promise.all([0, 1, 2, 3].map((i) => user(t, `writer-${i}`)));
      await Promise.all(
        sockets.map(async (socket, i) => {
          await Promise.all(Array.from({ length: 25 }, (_, j) => ok(socket, "probe:put", { key: `w-${i}-${j}`, number: j })));
        }),
      );
      const [count] = await query(sockets[0], "SELECT count(*) AS n FROM store_probe_items WHERE key LIKE 'w-%'");
      assert.equal(num(count.n), 100);
      const [view] = await query(sockets[0], "SELECT items FROM store_probe_item_count");
      assert.ok(num(view.items) >= 100);
    });

    test("a slow query holds up no other socket, only its own socket's later events", TEST, async (t) => {
      const [slow_socket, other, third] = await Promise.all([user(t, "slow"), user(t, "other"), user(t, "third")]);
      // About 4 s (pg_sleep on PostgreSQL; on SQLite a recursive count): twice what the
      // other sockets' 60 round trips take on a loaded 2-core machine.
      const slow = call(slow_socket, "probe:slow", { ms: 4000, count: 10_000_000 }).then((answer) => ({ answer, at: Date.now() }));
      // The same socket's next pooled event waits its turn (events are ordered per socket)...
      const queued = call(slow_socket, "probe:whoami").then(() => Date.now());
      // ...but its inline events do not wait.
      assert.equal(await call(slow_socket, "probe:ping"), "pong");
      let slow_done = false;
      slow.then(() => (slow_done = true));

      const started = Date.now();
      await Promise.all(
        [other, third].map(async (socket, i) => {
          for (let j = 0; j < 10; j++) {
            await ok(socket, "probe:put", { key: `flow-${i}-${j}`, value: "x" });
            assert.equal((await ok(socket, "probe:get", { key: `flow-${i}-${j}` })).value, "x");
            assert.ok(!is_failure(await call(socket, "probe:whoami")));
          }
        }),
      );
      const others_took = Date.now() - started;
      assert.equal(slow_done, false, `the slow query ended before the others finished (${others_took} ms)`);

      const { answer, at } = await slow;
      assert.ok(!is_failure(answer), JSON.stringify(answer));
      assert.equal(answer.dialect, database);
      assert.ok(answer.elapsed_ms > others_took, `slow ${answer.elapsed_ms} ms, the others ${others_took} ms`);
      assert.ok((await queued) >= at, "the slow socket's next event ran before its slow one finished");
    });
  });
}
