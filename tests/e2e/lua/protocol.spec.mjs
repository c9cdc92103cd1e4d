// The e2e protocol suite (tests/e2e/*.test.mjs, the real socket.io-client) against
// Lua deployments:
//   - examples/protocol-echo/switchboard-lua.yaml, the reference echo in Lua: the tests
//     that apply to an echo server (the rest need the full test app);
//   - fixtures/test_app.lua, the kernel test app in Lua: the whole suite, but for the
//     tests that need what the SDK cannot do yet (a socket's room list).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { REPO, SWITCHBOARD_BIN } from "../support/deployment.mjs";
import { FIXTURES } from "./support.mjs";

const E2E = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FILES = ["connect.test.mjs", "events.test.mjs", "binary.test.mjs", "upgrade.test.mjs", "http.test.mjs"];

// The suites (describe) of the e2e files. Node 20 runs a test when its name or a
// parent's (a suite's, or the root's: "<root>") matches --test-name-pattern, and
// has no skip pattern: the pattern below matches neither the root nor a suite, and
// every test but those to skip.
const SUITES = [
  "CORS",
  "handshake",
  "refusals",
  "rooms across transport modes",
  "the polling -> websocket upgrade",
  "\\w+ over (websocket|polling|polling\\+upgrade)",
];

// Engine.IO tests no script takes part in, and racy under load: the client reports
// "upgrade" once it has sent the upgrade packet, and a poll on another connection can
// reach the server before that packet does (200 instead of 400).
const ENGINE_ONLY = ["a polling request for a session that has upgraded"];

// Runs test files with node --test against `server_command`, leaving out the tests
// whose names match `skip`; resolves with the summary counts and the output.
function run_suite(server_command, files, skip) {
  const pattern = `^(?!(<root>|${SUITES.join("|")})$)(?!.*(${[...skip, ...ENGINE_ONLY].join("|")})).*`;
  const args = ["--test", "--test-reporter=tap", `--test-name-pattern=${pattern}`, ...files];
  // Not a child of this runner: a run of its own, with its own report.
  const env = { ...process.env, SWITCHBOARD_E2E_SERVER: server_command };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: E2E,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      const count = (name) => Number(new RegExp(`^# ${name} (\\d+)`, "m").exec(output)?.[1] ?? -1);
      resolve({ code, pass: count("pass"), fail: count("fail"), output });
    });
  });
}

// The failed tests, each with its TAP diagnostic block (error, location).
function failures(output) {
  const lines = output.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^\s*not ok /.test(lines[i])) continue;
    out.push(lines[i]);
    for (let j = i + 1; j < lines.length && j < i + 40 && !/^\s*(\.\.\.|(not )?ok )/.test(lines[j]); j += 1)
      if (!/^\s+(at |stack:|async |process\.|Test|Suite)/.test(lines[j])) out.push(lines[j]);
  }
  return out.join("\n");
}

describe("the protocol suite against Lua", { concurrency: true }, () => {
  test("the reference echo in Lua passes every echo test", async (t) => {
    const config = path.join(REPO, "examples", "protocol-echo", "switchboard-lua.yaml");
    const result = await run_suite(`exec ${SWITCHBOARD_BIN} serve --config ${config}`, FILES, [
      "ask",
      "own room",
      "multiplexed over one connection",
      '"/custom" echoes',
      "server-to-client",
      "room broadcast",
      "200 messages",
    ]);
    assert.equal(result.fail, 0, failures(result.output) || result.output.slice(-3000));
    assert.equal(result.code, 0);
    assert.ok(result.pass >= 60, `ran the echo tests (${result.pass} passed)`);
    t.diagnostic(`${result.pass} passed`);
  });

  test("the test app in Lua passes the whole suite, but for what the SDK lacks", async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), "switchboard-lua-app-"));
    const config = path.join(dir, "switchboard.yaml");
    writeFileSync(
      config,
      JSON.stringify({
        engineio: { ping_interval: "300ms", ping_timeout: "200ms", max_payload: 1000000 },
        socketio: {
          connect_timeout: "1000ms",
          namespaces: [
            { name: "/", anonymous: true },
            { name: "/custom", anonymous: true },
          ],
        },
        cors: { origins: "*" },
        plugins: [{ name: "lua", required: true, config: { scripts: [path.join(FIXTURES, "test_app.lua")] } }],
      }),
    );
    try {
      const result = await run_suite(`exec ${SWITCHBOARD_BIN} serve --config ${config}`, [], [
        // No SDK call lists a socket's rooms.
        '"rooms" lists',
        "own room",
        "multiplexed over one connection stay separate",
        "emit to a room, except a room",
        "a disconnected client's rooms",
        "the client reconnects with a new id and works",
      ]);
      assert.equal(result.fail, 0, failures(result.output) || result.output.slice(-3000));
      assert.equal(result.code, 0);
      assert.ok(result.pass >= 100, `ran the suite (${result.pass} passed)`);
      t.diagnostic(`${result.pass} passed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
