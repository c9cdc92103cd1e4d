// Shared by the SDK specs: deployments written for one case, and servers expected to
// start or expected to refuse to start.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { start_server } from "../e2e/support/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../..");
export const SWITCHBOARD_BIN = process.env.SWITCHBOARD_BIN ?? path.join(REPO, "build", "switchboard");
// Where tests/sdk/fixtures builds its plugins: test-plugins/ beside the binary.
export const TEST_PLUGINS = process.env.SWITCHBOARD_TEST_PLUGINS ?? path.join(path.dirname(SWITCHBOARD_BIN), "test-plugins");

const EXIT_TIMEOUT_MS = 10_000;

// A folder of its own for one deployment.
export function make_dir() {
  return mkdtempSync(path.join(tmpdir(), "switchboard-sdk-"));
}

export function remove_dir(dir) {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

// A folder removed when test `t` ends.
export function scratch_dir(t) {
  const dir = make_dir();
  t.after(() => remove_dir(dir));
  return dir;
}

// The common part of every deployment: loopback, an anonymous "/" (and "/custom"),
// the test plugins on the search path, no database work, logs at info.
export function deployment_head(dir) {
  return [
    "server:",
    "  host: 127.0.0.1",
    "  shutdown_timeout: 1s",
    "socketio:",
    "  namespaces:",
    "    - {name: /, anonymous: true}",
    "    - {name: /custom, anonymous: true}",
    "database:",
    `  url: ${JSON.stringify(`sqlite:${path.join(dir, "switchboard.db")}`)}`,
    "  migrate: false",
    "log:",
    "  level: info",
    "plugin_path:",
    `  - ${JSON.stringify(TEST_PLUGINS)}`,
  ];
}

// Writes a deployment enabling `plugins` ([{name, required, file, config}]); returns
// its path. Each plugin is one flow-style line, so its line number is known.
export function write_deployment(dir, plugins, { file_name = "switchboard.yaml" } = {}) {
  const lines = deployment_head(dir);
  lines.push("plugins:");
  for (const plugin of plugins) lines.push(`  - ${JSON.stringify({ required: false, ...plugin })}`);
  return write_lines(dir, lines, file_name);
}

export function write_lines(dir, lines, file_name = "switchboard.yaml") {
  const file = path.join(dir, file_name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

// The 1-based number of the first of `lines` containing `needle`.
export function line_of(lines, needle) {
  const index = lines.findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`);
  return index + 1;
}

// Starts the server with `config_file`; resolves once it accepts connections.
export function serve(config_file) {
  return start_server({ command: `${quote(SWITCHBOARD_BIN)} serve --config ${quote(config_file)}` });
}

// Runs `switchboard serve` expecting it to refuse to start: resolves with its exit
// code and output once it exits, rejects if it is still running after 10 s.
export function serve_expecting_exit(config_file) {
  return new Promise((resolve, reject) => {
    const child = spawn(SWITCHBOARD_BIN, ["serve", "--config", config_file, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server was expected to refuse to start, but still runs after ${EXIT_TIMEOUT_MS} ms\n${output}`));
    }, EXIT_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

function quote(arg) {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

// Emits with an ack and a timeout; resolves with {error} or {args}.
export function emit_with_ack(socket, event, args = [], timeout = 5_000) {
  return new Promise((resolve) => {
    socket.timeout(timeout).emit(event, ...args, (error, ...answer) => resolve(error ? { error } : { args: answer }));
  });
}
