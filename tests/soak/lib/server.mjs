// Starts the real switchboard binary for a soak: the process itself (not a shell), so
// its pid is the one /proc is sampled for; its output goes to a file in the run's
// directory; an exit before stop() is recorded as a crash.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, writeFileSync } from "node:fs";
import path from "node:path";
import net from "node:net";

import { REPO, SWITCHBOARD_BIN, sign_token } from "../../e2e/support/deployment.mjs";
import { free_port, HOST } from "../../e2e/support/server.mjs";

export const API_KEY = "soak-api-key-0123456789abcdef";

function port_accepts(port) {
  return new Promise((resolve) => {
    const probe = net.connect(port, HOST);
    probe.once("connect", () => (probe.destroy(), resolve(true)));
    probe.once("error", () => resolve(false));
  });
}

// sections: top-level config sections merged over the soak's base (server, engineio,
// socketio, plugins, ...). The database is a SQLite file in `dir`.
export async function start_soak_server(dir, sections = {}) {
  const secret = randomBytes(16).toString("hex");
  const config = {
    server: { host: HOST, shutdown_timeout: "5s", ...(sections.server ?? {}) },
    engineio: { ...(sections.engineio ?? {}) },
    socketio: { namespaces: [{ name: "/", anonymous: false }], ...(sections.socketio ?? {}) },
    auth: { secret },
    database: { url: `sqlite:${path.join(dir, "switchboard.db")}`, migrations_dir: path.join(REPO, "migrations") },
    log: { level: "warn", ...(sections.log ?? {}) },
    api: { keys: [API_KEY], keys_env: [] },
    plugins: (sections.plugins ?? []).map((p) => ({ required: true, ...p })),
  };
  const config_file = path.join(dir, "switchboard.yaml");
  writeFileSync(config_file, JSON.stringify(config, null, 2));
  const port = await free_port();
  const log_file = path.join(dir, "server.log");
  const log = createWriteStream(log_file);
  const child = spawn(SWITCHBOARD_BIN, ["serve", "--config", config_file, "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exit = null;
  let stopping = false;
  const exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve((exit = { code, signal, during_run: !stopping }))),
  );
  const deadline = Date.now() + 30_000;
  while (!(await port_accepts(port))) {
    if (exit || Date.now() > deadline) throw new Error(`switchboard did not start; see ${log_file}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://${HOST}:${port}`,
    pid: child.pid,
    secret,
    log_file,
    // null while running; {code, signal, during_run} once it exited.
    exit: () => exit,
    token: (sub, claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return sign_token(secret, { sub, iat: now, exp: now + 4 * 3600, ...claims });
    },
    async stop() {
      stopping = exit === null;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
