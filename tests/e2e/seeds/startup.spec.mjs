// A seed deployment whose configured paths are wrong stops at start with the path
// named, instead of serving every event a "no such table" or leaving its script out;
// and one whose YAML sits outside the checkout still finds the platform's migrations
// (next to the binary).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { once, unique } from "../support/client.mjs";
import { start_seed } from "./support.mjs";
import { connectSocial } from "./social_client.mjs";

// start_seed's rejection carries the server's exit and output.
async function refused_start(options, seed = "social") {
  let failure;
  try {
    const d = await start_seed(seed, options);
    await d.stop();
  } catch (error) {
    failure = error;
  }
  assert.ok(failure, "the server should not have started");
  assert.match(failure.message, /exited before accepting connections \(code [1-9]/);
  return failure.message.slice(failure.message.indexOf("output:"));
}

test("a database.migrations_dir that is not there stops the start, naming it", async () => {
  const output = await refused_start({ replace: [[/^(\s*migrations_dir:\s*).*$/m, "$1/nonexistent/switchboard-migrations"]] });
  assert.match(output, /database\.migrations_dir: \/nonexistent\/switchboard-migrations is not a directory/);
});

test("a plugin's migrations component that is not there stops the start, naming it", async () => {
  const output = await refused_start({ replace: [[/migrations: \[notifications\]/, "migrations: [notifications, notifcations]"]] });
  assert.match(output, /plugin lua: migrations component 'notifcations': \S*\/migrations\/notifcations is not a directory/);
});

test("a migrations_dir of its own that lacks an enabled plugin's migrations stops the start", async (t) => {
  const own = mkdtempSync(path.join(tmpdir(), "switchboard-own-migrations-"));
  t.after(() => rmSync(own, { recursive: true, force: true }));
  const output = await refused_start({ replace: [[/^(\s*migrations_dir:\s*).*$/m, `$1${own}`]] }, "event-chat");
  assert.ok(output.includes(`plugin events: its migrations are in `), output);
  assert.ok(output.includes(`/migrations/events, not in database.migrations_dir ${own}`), output);
});

test("a script that is not there stops the start of a deployment that requires it, naming it", async () => {
  const output = await refused_start({ replace: [[/social\.lua"/, 'socail.lua"']] });
  assert.match(output, /required plugin lua failed to load/);
  assert.match(output, /\S*examples\/seeds\/social\/socail\.lua is not a readable file/);
});

test("a YAML outside the checkout without migrations_dir finds the platform's migrations", async (t) => {
  const d = await start_seed("social", { replace: [[/^(\s*migrations_dir:\s*).*$/m, '$1""']] });
  t.after(() => d.stop());
  const ann = connectSocial(d.url, { token: d.token("ann"), userId: "ann" });
  const ben = connectSocial(d.url, { token: d.token("ben"), userId: "ben" });
  t.after(() => {
    ann.disconnect();
    ben.disconnect();
  });
  await Promise.all([once(ann.socket, "connect"), once(ben.socket, "connect")]);
  const received = once(ben.socket, "new_notification");
  // Stored in notifications_items: the table exists because the migrations were found.
  const stored = await ann.socket.emitWithAck("send_notification", { userId: "ben", type: "test", title: unique("t"), content: "c" });
  assert.equal(stored.userId, "ben");
  assert.deepEqual((await received)[0], stored);
});
