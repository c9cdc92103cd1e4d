// Runs the official Socket.IO protocol suite (copied by prepare.sh) against one
// Switchboard deployment: starts `switchboard serve --config F`, waits for its
// "listening on" line, runs mocha on the unchanged test-suite.js, stops the server.
// Exits with mocha's status, or 1 when the server failed to start or to stop cleanly.
//
//   node run_suite.mjs --suite DIR --server BIN --config FILE
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
  options: { suite: { type: "string" }, server: { type: "string" }, config: { type: "string" } },
});
for (const name of ["suite", "server", "config"]) {
  if (!options[name]) {
    console.error(`run_suite: --${name} is required`);
    process.exit(2);
  }
}
const mocha = path.join(options.suite, "node_modules", "mocha", "bin", "mocha");
if (!existsSync(mocha)) {
  console.error(`run_suite: no suite installed in ${options.suite} (compliance.setup skipped or failed)`);
  process.exit(77);
}

// A safety net for a server that hangs, far past its shutdown timeout: not a wait.
const START_LIMIT_MS = 30_000;
const STOP_LIMIT_MS = 30_000;

const server = spawn(options.server, ["serve", "--config", options.config], { stdio: ["ignore", "pipe", "pipe"] });
let output = "";
const exited = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));

const listening = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(false), START_LIMIT_MS);
  const keep = (chunk) => {
    output += chunk.toString();
    if (/listening on /.test(output)) {
      clearTimeout(timer);
      resolve(true);
    }
  };
  server.stdout.on("data", keep);
  server.stderr.on("data", keep);
  exited.then(() => {
    clearTimeout(timer);
    resolve(false);
  });
});
if (!listening) {
  server.kill("SIGKILL");
  console.error(`run_suite: the server did not start:\n${output}`);
  process.exit(1);
}

const suite = spawn(process.execPath, [mocha, "test-suite.js"], { cwd: options.suite, stdio: "inherit" });
const suite_status = await new Promise((resolve) => suite.once("exit", (code) => resolve(code ?? 1)));

server.kill("SIGTERM");
const kill_timer = setTimeout(() => server.kill("SIGKILL"), STOP_LIMIT_MS);
const { code, signal } = await exited;
clearTimeout(kill_timer);

if (suite_status !== 0) console.error(`run_suite: the suite failed; server output:\n${output}`);
if (code !== 0) {
  console.error(`run_suite: the server did not stop cleanly (code ${code}, signal ${signal}):\n${output}`);
  process.exit(1);
}
process.exit(suite_status);
