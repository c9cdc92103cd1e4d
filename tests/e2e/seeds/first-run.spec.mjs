// The deployment ./run.sh serves (examples/first-run/switchboard.yaml): it starts from
// a YAML that names no migrations directory, with every shipped feature enabled, and a
// user holding a token from `switchboard token` (what run.sh prints) is served by
// each of them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { REPO, SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { start_seed } from "./support.mjs";

const DIR = "examples/first-run";

// The platform's ack convention: [null, result] or [{code, message}].
function request(socket, event, payload) {
  return new Promise((resolve, reject) =>
    socket.timeout(5000).emit(event, payload, (timeout, error, result) =>
      timeout || error ? reject(new Error(`${event}: ${JSON.stringify(timeout?.message ?? error)}`)) : resolve(result)));
}

test("run.sh serves the first-run deployment on loopback, port 3000, every plugin enabled", () => {
  const run = readFileSync(path.join(REPO, "run.sh"), "utf8");
  assert.match(run, /SWITCHBOARD_CONFIG:-examples\/first-run\/switchboard\.yaml/);
  const yaml = readFileSync(path.join(REPO, DIR, "switchboard.yaml"), "utf8");
  assert.match(yaml, /^\s*host:\s*127\.0\.0\.1\b/m);
  assert.match(yaml, /^\s*port:\s*3000\b/m);
  const plugins = yaml.slice(yaml.search(/^plugins:/m));
  const enabled = [...plugins.matchAll(/^\s*- name:\s*(\S+)/gm)].map((m) => m[1]).sort();
  const shipped = execFileSync("ls", [path.join(REPO, "plugins")]).toString().split("\n")
    .filter((name) => name && name !== "CMakeLists.txt").sort();
  assert.deepEqual(enabled, shipped);
});

test("a user with a `switchboard token` token is served by every feature", async (t) => {
  const d = await start_seed(DIR, {});
  t.after(() => d.stop());
  // The command run.sh prints, with the deployment's secret.
  const token = execFileSync(SWITCHBOARD_BIN, ["token", "--sub", "demo", "--name", "Demo", "--roles", "admin"], {
    env: { ...process.env, SWITCHBOARD_JWT_SECRET: d.secret },
    stdio: ["ignore", "pipe", "ignore"],
  }).toString().trim();
  const socket = io(d.url, { auth: { token }, transports: ["websocket"] });
  t.after(() => socket.disconnect());
  await once(socket, "connect", { fail_on: ["connect_error"] });

  const room = await request(socket, "chat:create", { name: "Lobby" });
  assert.equal(room.room.name, "Lobby");
  assert.equal((await request(socket, "presence:set", { status: "away" })).status, "away");
  assert.ok(Array.isArray((await request(socket, "notification:list", {})).items));
  assert.equal((await request(socket, "blog:create", { title: "Hello", body: "First post" })).author, "demo");
  assert.equal((await request(socket, "social:profile", {})).userId, "demo");
  assert.equal((await request(socket, "content:create", { title: "Story" })).owner_id, "demo");
  assert.equal((await request(socket, "diary:create", { body: "Dear diary" })).author_id, "demo");
  const starts = Date.now() + 3_600_000;
  assert.equal((await request(socket, "calendar:create", { title: "Launch", starts_at: starts })).owner_id, "demo");
  assert.equal((await request(socket, "media:upload", { url: "https://cdn.example/a.png", kind: "image" })).kind, "image");
  assert.equal((await request(socket, "ad:create", { title: "Spring sale" })).owner_id, "demo");
  await request(socket, "events:join", { eventId: "launch" }).catch((error) => {
    // Participation comes from the app's API: a refusal, not a missing table.
    assert.match(error.message, /forbidden|not_found/);
  });
});
