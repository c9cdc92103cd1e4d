// A database that is not there: down when the server starts (a clear error naming the
// URL, without its password), and gone while the server runs (callers get
// db_unavailable, everything that does not need the database keeps working, and the
// calls succeed again once it is back).
//
// The outage is real: the running-server cases stop and restart a PostgreSQL cluster
// of their own (initdb from the binaries of tools/test-services), never the shared
// one, which other specs running at the same time depend on.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";

import { databases } from "./support/deployment.mjs";
import { free_port } from "./support/server.mjs";
import {
  call,
  connect_user,
  delay,
  fails,
  is_failure,
  next_event,
  ok,
  start_probe_deployment,
} from "./support/store_probe.mjs";

const TEST = { timeout: 60_000 };
const has_postgres = databases().includes("postgresql");

// A PostgreSQL cluster for one test file, which it may stop and start at will.
async function private_cluster() {
  const bin = process.env.SWITCHBOARD_TEST_PG_BIN;
  if (!bin) throw new Error("SWITCHBOARD_TEST_PG_BIN is not set: run tools/test-services start");
  const root = mkdtempSync(path.join(tmpdir(), "switchboard-pg-"));
  const data = path.join(root, "data");
  const port = await free_port();
  // PostgreSQL refuses to run as root: then the cluster belongs to `postgres`.
  const as_root = process.getuid?.() === 0;
  if (as_root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(root, uid, gid);
  }
  const pg = (tool, ...args) => {
    const command = as_root ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    return execFileSync(command[0], command[1], { stdio: "pipe", encoding: "utf8" });
  };
  pg("initdb", "-D", data, "-U", "switchboard", "--auth=trust", "-E", "UTF8", "-N");
  const cluster = {
    port,
    running: false,
    // The password is ignored (trust), but it must never show in a message.
    url: (db) => `postgresql://switchboard:hunter2secret@127.0.0.1:${port}/${db}`,
    start() {
      pg("pg_ctl", "-D", data, "-l", path.join(root, "log"), "-w", "-t", "30", "-o",
        `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, "start");
      cluster.running = true;
    },
    // fast: the server ends every session at once, as a crash or a failover would.
    stop() {
      pg("pg_ctl", "-D", data, "-m", "fast", "-w", "stop");
      cluster.running = false;
    },
    createdb(name) {
      execFileSync("psql", [cluster.url("postgres"), "-v", "ON_ERROR_STOP=1", "-qtAc", `CREATE DATABASE ${name}`], { stdio: "pipe" });
    },
    destroy() {
      try {
        if (cluster.running) cluster.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}

// Calls `event` until it succeeds (the first call after an outage may still report
// it); resolves with the answer.
async function eventually_ok(socket, event, payload, within_ms = 15_000) {
  const deadline = Date.now() + within_ms;
  let last;
  while (Date.now() < deadline) {
    last = await call(socket, event, payload);
    if (!is_failure(last)) return last;
    assert.equal(last.code, "db_unavailable", `${event} while recovering: ${JSON.stringify(last)}`);
    await delay(200);
  }
  assert.fail(`${event} still failing ${within_ms} ms after the database came back: ${JSON.stringify(last)}`);
}

describe("a database that is down at start-up", () => {
  // A port nobody listens on: free_port found it free and nothing binds it.
  const closed = (port, form) =>
    form === "query"
      ? `postgresql://switchboard@127.0.0.1:${port}/probe?password=hunter2secret&sslmode=disable`
      : `postgresql://switchboard:hunter2secret@127.0.0.1:${port}/probe`;
  const cases = [{ what: "sqlite", url: () => "sqlite:/dev/null/not-a-directory/switchboard.db", names: () => "/dev/null/not-a-directory/switchboard.db" }];
  if (has_postgres) {
    cases.push({ what: "postgresql", url: (port) => closed(port, "userinfo"), names: (port) => `127.0.0.1:${port}/probe` });
    // Kernel bug (see the report): mask_password only knows user:password@.
    cases.push({
      what: "postgresql with ?password=",
      url: (port) => closed(port, "query"),
      names: (port) => `127.0.0.1:${port}/probe`,
    });
  }

  for (const c of cases) {
    test(`${c.what}: the server exits non-zero with a message naming the URL, not the password`, { ...TEST, todo: c.todo }, async () => {
      const port = await free_port();
      const url = c.url(port);
      const names = c.names(port);
      let failure;
      try {
        const d = await start_probe_deployment({ database: "sqlite", database_settings: { url, connect_timeout: "2s" } });
        await d.stop();
      } catch (error) {
        failure = error;
      }
      assert.ok(failure, "the server should not have started");
      assert.match(failure.message, /exited before accepting connections \(code [1-9]/);
      const output = failure.message.slice(failure.message.indexOf("output:"));
      assert.ok(output.includes(names), `the message should name ${names}:\n${output}`);
      assert.match(output, /cannot open the database/);
      assert.ok(!output.includes("hunter2secret"), `the password leaked:\n${output}`);
    });
  }
});

describe("a PostgreSQL that goes away while the server runs", { skip: !has_postgres && "no PostgreSQL" }, () => {
  let cluster;
  after(() => cluster?.destroy());

  test("callers get db_unavailable, other events keep flowing, and calls recover", TEST, async (t) => {
    cluster = await private_cluster();
    cluster.start();
    cluster.createdb("probe");
    const d = await start_probe_deployment({
      database: "sqlite",
      database_settings: { url: cluster.url("probe"), connect_timeout: "2s", pool_size: 2 },
    });
    t.after(() => d.stop());
    try {
      const alice = await connect_user(t, d, { auth: { token: d.token("alice") } });
      await ok(alice, "probe:put", { key: "before", value: "kept" });

      cluster.stop();
      for (const [event, payload] of [
        ["probe:get", { key: "before" }],
        ["probe:put", { key: "during", value: "lost" }],
        ["probe:transaction", { statements: [{ sql: "DELETE FROM store_probe_items" }] }],
        ["probe:get", { key: "before" }],
      ]) {
        const failure = await fails(alice, event, "db_unavailable", payload);
        assert.ok(!failure.message.includes("hunter2secret"), `the password leaked: ${failure.message}`);
      }

      // Everything that does not need the database still works, new clients included.
      assert.equal(await call(alice, "probe:ping"), "pong");
      assert.equal((await call(alice, "probe:whoami")).id, "alice");
      const phone = await connect_user(t, d, { auth: { token: d.token("alice") } });
      const notice = next_event(phone, "probe:notice");
      assert.equal(await call(alice, "probe:notify_user", { user: "alice", message: "db is down" }), true);
      assert.equal((await notice).message, "db is down");

      cluster.start();
      // Each pooled connection that broke fails one more call (with db_unavailable)
      // and is reopened for the next: with a pool of 2, at most 2 failures, then none.
      const failures = [];
      const deadline = Date.now() + 15_000;
      for (;;) {
        const round = await Promise.all([alice, phone].map((s) => call(s, "probe:get", { key: "before" })));
        const failed = round.filter(is_failure);
        failures.push(...failed);
        if (failed.length === 0) {
          for (const answer of round) assert.equal(answer.value, "kept");
          break;
        }
        assert.ok(Date.now() < deadline, `calls still failing after the database came back: ${JSON.stringify(failed)}`);
        await delay(100);
      }
      assert.ok(failures.length <= 2, `more failures than broken connections: ${JSON.stringify(failures)}`);
      for (const f of failures) assert.equal(f.code, "db_unavailable", JSON.stringify(f));
      // Once back, every kind of call works, on every connection of the pool.
      await Promise.all([
        ok(alice, "probe:put", { key: "after", value: "stored" }),
        ok(phone, "probe:transaction", { statements: [{ sql: "UPDATE store_probe_items SET hits = hits + 1" }] }),
        ok(alice, "probe:slow", { ms: 300 }),
        ok(phone, "probe:get", { key: "after" }),
      ]);
      assert.equal((await ok(alice, "probe:get", { key: "after" })).value, "stored");
      assert.equal(await call(alice, "probe:get", { key: "during" }), null, "a write that failed must not appear");
    } finally {
      if (!cluster.running) cluster.start();
    }
  });

  // Kernel bug (see the report): store::database::begin() does not reopen a broken
  // connection, so a pool used only for transactions never recovers.
  test("transactions alone recover too (no plain query first)", TEST, async (t) => {
    if (!cluster) {
      cluster = await private_cluster();
      cluster.start();
    }
    cluster.createdb("probe_tx");
    const d = await start_probe_deployment({
      database: "sqlite",
      database_settings: { url: cluster.url("probe_tx"), connect_timeout: "2s", pool_size: 1 },
    });
    t.after(() => d.stop());
    try {
      const alice = await connect_user(t, d, { auth: { token: d.token("alice") } });
      const put = { statements: [{ sql: "INSERT INTO store_probe_log (line) VALUES (:line)", params: { line: "x" } }] };
      await ok(alice, "probe:transaction", put);
      cluster.stop();
      await fails(alice, "probe:transaction", "db_unavailable", put);
      await fails(alice, "probe:transaction", "db_unavailable", put);
      cluster.start();
      await eventually_ok(alice, "probe:transaction", put);
    } finally {
      if (!cluster.running) cluster.start();
    }
  });

  test("down at start without pending migrations: the server starts, and calls work once it is up", TEST, async (t) => {
    if (!cluster) {
      cluster = await private_cluster();
      cluster.start();
    }
    cluster.createdb("probe_late");
    // Migrate once, then start a server with the cluster down and migrate: false.
    const setup = await start_probe_deployment({ database: "sqlite", database_settings: { url: cluster.url("probe_late") } });
    await setup.stop();
    cluster.stop();
    try {
      const d = await start_probe_deployment({
        database: "sqlite",
        database_settings: { url: cluster.url("probe_late"), connect_timeout: "2s", migrate: false },
      });
      t.after(() => d.stop());
      const alice = await connect_user(t, d, { auth: { token: d.token("alice") } });
      const failure = await fails(alice, "probe:get", "db_unavailable", { key: "x" });
      assert.ok(!failure.message.includes("hunter2secret"), `the password leaked: ${failure.message}`);
      assert.equal(await call(alice, "probe:ping"), "pong");
      cluster.start();
      assert.equal(await eventually_ok(alice, "probe:get", { key: "x" }), null);
      await ok(alice, "probe:put", { key: "x", value: "late" });
    } finally {
      if (!cluster.running) cluster.start();
    }
  });
});
