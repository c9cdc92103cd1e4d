// Runs the e2e suite (tests/e2e) against examples/protocol-echo: the plugin that gives
// Switchboard the Socket.IO reference test server's behavior. That server only echoes
// (auth on connection, "message" -> "message-back", "message-with-ack"), so only the
// tests that need nothing else run; the rest of each file needs the test app's rooms
// and asks. Each listed test must pass on every transport mode it runs over: a renamed
// test fails here instead of silently dropping out of the subset.
//
//   SWITCHBOARD_BIN=build/switchboard node tests/sdk/protocol_echo_suite.mjs [--parser msgpack]
//
// With `--parser msgpack` the deployment says socketio.parser: msgpack and every client
// is built with socket.io-msgpack-parser; http.test.mjs (raw text packets) is left out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const e2e_dir = path.join(repo, "tests", "e2e");
const binary = process.env.SWITCHBOARD_BIN ?? path.join(repo, "build", "switchboard");
const echo_yaml = path.join(repo, "examples", "protocol-echo", "switchboard.yaml");
const parser_index = process.argv.indexOf("--parser");
const parser = parser_index > 0 ? process.argv[parser_index + 1] : "json";
if (!["json", "msgpack"].includes(parser)) throw new Error(`--parser: json or msgpack, not ${parser}`);
let deployment = echo_yaml;
let scratch;
if (parser === "msgpack") {
  // The echo deployment with the parser set (its plugin found as from the original).
  scratch = mkdtempSync(path.join(tmpdir(), "protocol-echo-msgpack-"));
  deployment = path.join(scratch, "switchboard.yaml");
  const yaml = readFileSync(echo_yaml, "utf8").replace(/^socketio:\n/m, "socketio:\n  parser: msgpack\n");
  if (!yaml.includes("parser: msgpack")) throw new Error(`no socketio section in ${echo_yaml}`);
  writeFileSync(deployment, yaml);
}

// file -> the tests to run (null: all of them), each with how many times it runs.
const MODES = 3;
const SUBSET = {
  "connect.test.mjs": [
    '"/" without auth: connect fires, id is set, "auth" echoes {}',
    '"/custom" with an auth payload: "auth" echoes it',
    '"/" with an auth payload: "auth" echoes it',
    'an unknown namespace is refused with "Invalid namespace"',
    "an unknown namespace does not break a valid one on the same connection",
  ],
  "events.test.mjs": [
    '"message" comes back as "message-back" with the same arguments, in order',
    "a ~100 KB text argument round-trips",
    '"message-with-ack": the ack carries the same arguments',
    "many acks in flight each resolve with their own value",
  ],
  "binary.test.mjs": [
    "a Buffer as the only argument",
    "Uint8Array and ArrayBuffer nested in objects and arrays",
    "several attachments in one event, including an empty one",
    "a ~100 KB buffer round-trips byte for byte",
    "binary and text events keep their order",
    "binary in a client-to-server ack",
  ],
  "upgrade.test.mjs": [
    "the connection ends on websocket",
    "the connection ends on polling",
    "the handshake offers the websocket upgrade",
    "a polling request for a session that has upgraded is refused with 400",
  ],
  // Engine.IO handshakes, refusals with their status and body, CORS.
  "http.test.mjs": null,
};
if (parser === "msgpack") delete SUBSET["http.test.mjs"];
const EXPECTED_RUNS = {
  "the connection ends on websocket": 2, // websocket and polling+upgrade
  "the connection ends on polling": 1,
  "the handshake offers the websocket upgrade": 1,
  "a polling request for a session that has upgraded is refused with 400": 1,
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

let failed = false;
for (const [file, names] of Object.entries(SUBSET)) {
  const args = ["--test", "--test-reporter=tap"];
  for (const name of names ?? []) args.push(`--test-name-pattern=^${escape(name)}$`);
  args.push(file);
  const run = spawnSync(process.execPath, args, {
    cwd: e2e_dir,
    env: { ...process.env, SWITCHBOARD_E2E_SERVER: `${binary} serve --config ${deployment}`, SWITCHBOARD_E2E_PARSER: parser },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = run.stdout + run.stderr;
  const problems = [];
  if (run.status !== 0) problems.push(`node --test exited with ${run.status ?? run.signal}`);
  const count = (pattern) => Number(output.match(pattern)?.[1] ?? NaN);
  const pass = count(/^# pass (\d+)$/m);
  if (count(/^# fail (\d+)$/m) !== 0) problems.push("some tests failed");
  for (const name of names ?? []) {
    const ran = output.split("\n").filter((line) => /^\s*ok \d+ - /.test(line) && !line.includes("# SKIP"))
      .filter((line) => line.replace(/^\s*ok \d+ - /, "") === name).length;
    const expected = EXPECTED_RUNS[name] ?? MODES;
    if (ran !== expected) problems.push(`"${name}" passed ${ran} time(s), expected ${expected}`);
  }
  if (!(pass > 0)) problems.push("no test passed");
  console.log(`${file}: ${pass} passed${problems.length ? ` — ${problems.join("; ")}` : ""}`);
  if (problems.length) {
    failed = true;
    console.log(output);
  }
}
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
