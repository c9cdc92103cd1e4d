// Migrations, against SQLite and PostgreSQL: applied once in order with the dialect's
// variant, recorded with their checksum, idempotent on restart, a new one applied on
// the next start, a failing one rolled back whole, an edited one (or a misnamed file)
// refused with a message naming the file, and `switchboard migrate [--dry-run]`.
//
// Each deployment gets its own copy of store-probe's migrations, so a test may edit
// them freely.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";

import { databases } from "./support/deployment.mjs";
import { PROBE_MIGRATIONS, connect_user, fails, ok, start_probe_deployment } from "./support/store_probe.mjs";

const TEST = { timeout: 60_000 };
const FILES = {
  sqlite: ["0001_init.sql", "0002_dialect.sqlite.sql", "0003_counts.sql"],
  postgresql: ["0001_init.sql", "0002_dialect.postgresql.sql", "0003_counts.sql"],
};

function copy_migrations(t) {
  const root = mkdtempSync(path.join(tmpdir(), "switchboard-migrations-"));
  cpSync(PROBE_MIGRATIONS, root, { recursive: true });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return { root, file: (name) => path.join(root, "store-probe", name) };
}

const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

async function probe_deployment(t, database, migrations, database_settings = {}) {
  const d = await start_probe_deployment({ database, database_settings: { migrations_dir: migrations.root, ...database_settings } });
  t.after(() => d.stop());
  return d;
}

const connect = (t, d) => connect_user(t, d, { auth: { token: d.token("migrator") } });
const recorded = (socket) =>
  ok(socket, "probe:query", {
    sql: "SELECT version, checksum, applied_at FROM schema_migrations WHERE component = :component ORDER BY version",
    params: { component: "store-probe" },
  });

// A start that must fail: the error start_deployment threw (it has the output).
async function refused_start(d) {
  try {
    await d.restart();
  } catch (error) {
    return error;
  }
  assert.fail("the server started but should have refused");
}

for (const database of databases()) {
  describe(`migrations on ${database}`, () => {
    test("applied once, in order, this dialect's variant, recorded with its checksum", TEST, async (t) => {
      const migrations = copy_migrations(t);
      const d = await probe_deployment(t, database, migrations);
      const socket = await connect(t, d);
      const rows = await recorded(socket);
      assert.deepEqual(
        rows.map((r) => [r.version, r.checksum]),
        FILES[database].map((name, i) => [i + 1, sha256(migrations.file(name))]),
      );
      for (const row of rows) assert.match(row.applied_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(await ok(socket, "probe:dialect"), database);
      // Quotes, comments and semicolons inside them did not split a statement.
      assert.deepEqual(await ok(socket, "probe:query", { sql: "SELECT value FROM store_probe_meta WHERE name = 'motto'" }), [
        { value: "it's; fine -- really" },
      ]);
      if (database === "postgresql") {
        // A dollar-quoted function body with semicolons inside was one statement.
        await ok(socket, "probe:put", { key: "touched" });
        await ok(socket, "probe:query", { sql: "SELECT store_probe_touch('touched') AS done" });
        assert.equal((await ok(socket, "probe:get", { key: "touched" })).hits, 1);
      }
    });

    test("idempotent on restart; a new migration applies on the next start", TEST, async (t) => {
      const migrations = copy_migrations(t);
      const d = await probe_deployment(t, database, migrations);
      let socket = await connect(t, d);
      const before = await recorded(socket);
      await ok(socket, "probe:put", { key: "survivor", value: "still here" });
      socket.disconnect();

      await d.restart();
      socket = await connect(t, d);
      assert.deepEqual(await recorded(socket), before, "nothing re-applied, nothing re-recorded");
      assert.equal((await ok(socket, "probe:get", { key: "survivor" })).value, "still here");
      socket.disconnect();

      writeFileSync(migrations.file("0004_more.sql"), "ALTER TABLE store_probe_items ADD COLUMN note TEXT;\n");
      await d.restart();
      socket = await connect(t, d);
      const after = await recorded(socket);
      assert.deepEqual(after.slice(0, 3), before);
      assert.deepEqual(after.map((r) => r.version), [1, 2, 3, 4]);
      await ok(socket, "probe:exec", { sql: "UPDATE store_probe_items SET note = 'new column' WHERE key = 'survivor'" });
    });

    test("an edited migration is refused at start with a message naming the file", TEST, async (t) => {
      const migrations = copy_migrations(t);
      const d = await probe_deployment(t, database, migrations);
      const original = readFileSync(migrations.file("0001_init.sql"));
      appendFileSync(migrations.file("0001_init.sql"), "-- an innocent-looking edit\n");
      const error = await refused_start(d);
      assert.match(error.message, /exited before accepting connections \(code [1-9]/);
      assert.ok(error.message.includes(migrations.file("0001_init.sql")), error.message);
      assert.match(error.message, /changed after it was applied/);

      const cli = d.cli("migrate");
      assert.notEqual(cli.status, 0);
      assert.ok(cli.stderr.includes(migrations.file("0001_init.sql")), cli.stderr);

      // Put back as it was, the deployment starts again.
      writeFileSync(migrations.file("0001_init.sql"), original);
      await d.restart();
      assert.equal(await ok(await connect(t, d), "probe:dialect"), database);
    });

    test("a failing migration is rolled back whole and stops the start", TEST, async (t) => {
      const migrations = copy_migrations(t);
      const d = await probe_deployment(t, database, migrations);
      writeFileSync(
        migrations.file("0004_broken.sql"),
        "CREATE TABLE store_probe_half (id INTEGER PRIMARY KEY);\nINSERT INTO store_probe_nowhere (x) VALUES (1);\n",
      );
      const error = await refused_start(d);
      assert.ok(error.message.includes(migrations.file("0004_broken.sql")), error.message);
      assert.match(error.message, /failed/);

      rmSync(migrations.file("0004_broken.sql"));
      await d.restart();
      const socket = await connect(t, d);
      assert.deepEqual((await recorded(socket)).map((r) => r.version), [1, 2, 3]);
      // The first statement of the failed migration did not survive it.
      await fails(socket, "probe:query", "db_error", { sql: "SELECT id FROM store_probe_half" });
    });

    test("a misnamed file or two files with one number are refused, naming them", TEST, async (t) => {
      const migrations = copy_migrations(t);
      const d = await probe_deployment(t, database, migrations);
      writeFileSync(migrations.file("4_no_padding.sql"), "SELECT 1;\n");
      let error = await refused_start(d);
      assert.ok(error.message.includes(migrations.file("4_no_padding.sql")), error.message);
      assert.match(error.message, /NNNN_title/);

      rmSync(migrations.file("4_no_padding.sql"));
      writeFileSync(migrations.file("0004_one.sql"), "SELECT 1;\n");
      writeFileSync(migrations.file("0004_two.sql"), "SELECT 2;\n");
      error = await refused_start(d);
      assert.match(error.message, /0004_one\.sql/);
      assert.match(error.message, /0004_two\.sql/);
      assert.match(error.message, /same number/);
    });

    test("switchboard migrate: --dry-run lists what is pending, migrate applies it once", TEST, async (t) => {
      const migrations = copy_migrations(t);
      const d = await probe_deployment(t, database, migrations, { migrate: false });
      const socket = await connect(t, d);
      await fails(socket, "probe:query", "db_error", { sql: "SELECT * FROM store_probe_items" });

      const dry = d.cli("migrate", "--dry-run");
      assert.equal(dry.status, 0, dry.stderr);
      for (const name of FILES[database]) assert.match(dry.stdout, new RegExp(`pending +store-probe/${name.replaceAll(".", "\\.")}`));
      assert.match(dry.stdout, /3 pending, 0 up to date/);
      await fails(socket, "probe:query", "db_error", { sql: "SELECT * FROM store_probe_items" });

      const applied = d.cli("migrate");
      assert.equal(applied.status, 0, applied.stderr);
      assert.match(applied.stdout, /3 applied, 0 up to date/);
      // The running server sees the tables the command created.
      assert.deepEqual(await ok(socket, "probe:query", { sql: "SELECT key FROM store_probe_items" }), []);

      const again = d.cli("migrate");
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /0 applied, 3 up to date/);
    });
  });
}
