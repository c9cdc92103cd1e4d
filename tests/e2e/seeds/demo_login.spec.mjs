// The web routes of a deployment with the demo page: the official browser client at
// /socket.io/socket.io.min.js is the npm package's file byte for byte, and the
// development login signs tokens the server accepts, for a name it checks, only on a
// loopback listen unless the deployment says demo_public: true (the log says why).
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { start_server } from "../support/server.mjs";
import { start_seed } from "./support.mjs";

const DIR = "examples/first-run";
const E2E = path.resolve(import.meta.dirname, "..");

const login = (d, body) =>
  fetch(`${d.url}/demo/login`, { method: "POST", headers: { "content-type": "application/json" }, body });

test("the browser client is socket.io-client's dist/socket.io.min.js, byte for byte", async (t) => {
  const d = await start_seed(DIR);
  t.after(() => d.stop());
  const response = await fetch(`${d.url}/socket.io/socket.io.min.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /javascript/);
  const served = Buffer.from(await response.arrayBuffer());
  const npm = readFileSync(path.join(E2E, "node_modules/socket.io-client/dist/socket.io.min.js"));
  assert.ok(served.equals(npm), "the served bundle differs from the npm package's");
  const page = await fetch(`${d.url}/demo`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script src="\/socket.io\/socket.io.min.js">/);
  assert.equal((await fetch(`${d.url}/demo/yjs.min.js`)).status, 200);
});

test("the demo login signs a token the server accepts, and refuses bad names", async (t) => {
  const d = await start_seed(DIR);
  t.after(() => d.stop());
  const response = await login(d, JSON.stringify({ name: "Ada Lovelace" }));
  assert.equal(response.status, 200);
  const { token, user } = await response.json();
  assert.deepEqual(user, { id: "ada-lovelace", name: "Ada Lovelace", roles: [] });
  const socket = io(d.url, { auth: { token }, transports: ["websocket"] });
  t.after(() => socket.disconnect());
  await once(socket, "connect", { fail_on: ["connect_error"] });
  const [error, status] = await new Promise((resolve) =>
    socket.emit("presence:set", { status: "busy" }, (...answer) => resolve(answer)));
  assert.equal(error, null);
  assert.equal(status.userId, "ada-lovelace");

  for (const [body, message] of [
    ["not json", /JSON object/],
    [JSON.stringify({}), /name must be a string/],
    [JSON.stringify({ name: "" }), /1 to 40/],
    [JSON.stringify({ name: "x".repeat(41) }), /1 to 40/],
    [JSON.stringify({ name: "a\u0007b" }), /control/],
    [JSON.stringify({ name: "☃☃" }), /ASCII letter or digit/],
    [JSON.stringify({ name: "Eve", admin: "yes" }), /admin must be true or false/],
  ]) {
    const refused = await login(d, body);
    assert.equal(refused.status, 400, body);
    const answer = await refused.json();
    assert.equal(answer.code, "invalid_payload");
    assert.match(answer.message, message);
  }
  // The server kept serving: the same name is the same user again.
  assert.equal((await (await login(d, JSON.stringify({ name: "ada lovelace" }))).json()).user.id, "ada-lovelace");
});

test("on a non-loopback listen the login is refused unless demo_public: true", async (t) => {
  const on_all = [/^(\s*host:\s*)127\.0\.0\.1\b/m, "$10.0.0.0"];
  const closed = await start_seed(DIR, { replace: [on_all] });
  t.after(() => closed.stop());
  const refused = await login(closed, JSON.stringify({ name: "Mallory" }));
  assert.equal(refused.status, 403);
  const answer = await refused.json();
  assert.equal(answer.code, "forbidden");
  assert.match(answer.message, /0\.0\.0\.0 is not a loopback address.*demo_public: true/);
  assert.match(closed.output(), /demo login at POST \/demo\/login is refused: server\.host 0\.0\.0\.0 is not a loopback/);
  // The page itself is still served: a person can paste a token.
  assert.equal((await fetch(`${closed.url}/demo`)).status, 200);

  const open = await start_seed(DIR, { replace: [on_all], append: "demo_public: true" });
  t.after(() => open.stop());
  assert.equal((await login(open, JSON.stringify({ name: "Mallory" }))).status, 200);
});

test("a server without web/ beside it answers 404 for the bundle and the page, and the log says why", async (t) => {
  // The binary copied alone into an empty folder: no build/web next to it.
  const dir = mkdtempSync(path.join(tmpdir(), "switchboard-no-web-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = path.join(dir, "switchboard");
  copyFileSync(SWITCHBOARD_BIN, binary);
  writeFileSync(path.join(dir, "switchboard.yaml"),
    `server: {host: 127.0.0.1}\ndatabase: {url: "sqlite:${path.join(dir, "db.sqlite")}", migrate: false}\n` +
    "auth: {secret: a-development-secret-of-enough-length}\ndemo: true\n");
  const server = await start_server({ command: `exec ${binary} serve --config ${path.join(dir, "switchboard.yaml")}` });
  t.after(() => server.stop());
  assert.equal((await fetch(`${server.url}/socket.io/socket.io.min.js`)).status, 404);
  assert.equal((await fetch(`${server.url}/demo`)).status, 404);
  const log = server.output();
  assert.match(log, new RegExp(`socket.io/socket.io.min.js not found \\(looked in ${dir}/web/socket.io/socket.io.min.js`));
  assert.match(log, /npm ci --prefix web/);
  assert.match(log, /demo\/index.html not found/);
  // The rest of the server is unaffected.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
