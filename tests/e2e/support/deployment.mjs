// Starts the real `switchboard` binary with a deployment written for one test file:
// chosen plugins and their config, a fresh database (SQLite file or a PostgreSQL
// database of its own), and a JWT secret to sign test users' tokens with.
//
//   const d = await start_deployment({ database: "postgresql", plugins: [{ name: "chat" }] });
//   const socket = io(d.url, { auth: { token: d.token("alice") } });
//   ...
//   await d.stop();   // stops the server, drops the database, removes the files
//
// The binary is $SWITCHBOARD_BIN (default: build/switchboard of this checkout). The
// PostgreSQL server is $SWITCHBOARD_TEST_POSTGRES_URL (tools/test-services starts one).
import { createHmac, randomBytes } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { start_server } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../../..");
export const SWITCHBOARD_BIN = process.env.SWITCHBOARD_BIN ?? path.join(REPO, "build", "switchboard");

// The databases a storage test runs against. In CI PostgreSQL is mandatory: a suite
// that silently skipped it would hide exactly what it exists to check.
export function databases() {
  if (process.env.SWITCHBOARD_TEST_POSTGRES_URL) return ["sqlite", "postgresql"];
  if (process.env.CI) throw new Error("SWITCHBOARD_TEST_POSTGRES_URL is not set: run tools/test-services start");
  return ["sqlite"];
}

function base64url(data) {
  return Buffer.from(data).toString("base64url");
}

// An HS256 JWT, as a backend would issue it.
export function sign_token(secret, claims) {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

function psql(url, sql) {
  execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql], { stdio: "pipe" });
}

function admin_url(url) {
  const u = new URL(url);
  u.pathname = "/postgres";
  return u.toString();
}

// options: database ("sqlite" | "postgresql"), plugins ([{name, config, required}]),
// namespaces (default: "/" for authenticated users only), auth (merged over
// {secret}), database_settings (merged over the database section: migrations_dir,
// migrate, pool_size, connect_timeout, even url), engineio, socketio, extra (more
// top-level sections), log_level.
export async function start_deployment(options = {}) {
  const base = process.env.SWITCHBOARD_TEST_POSTGRES_URL;
  if ((options.database ?? "sqlite") === "postgresql" && !base)
    throw new Error("SWITCHBOARD_TEST_POSTGRES_URL is not set: run tools/test-services start");
  const dir = mkdtempSync(path.join(tmpdir(), "switchboard-test-"));
  const secret = randomBytes(16).toString("hex");
  let database_url;
  let drop_database = () => {};
  if ((options.database ?? "sqlite") === "postgresql") {
    const name = `sb_test_${randomBytes(6).toString("hex")}`;
    psql(admin_url(base), `CREATE DATABASE ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    database_url = u.toString();
    drop_database = () => {
      try {
        psql(admin_url(base), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch {
        // the server may be gone already; the cluster is throwaway anyway
      }
    };
  } else {
    database_url = `sqlite:${path.join(dir, "switchboard.db")}`;
  }

  // JSON is YAML: the deployment is written as JSON.
  const config = {
    server: { host: "127.0.0.1", shutdown_timeout: "2s" },
    engineio: { ping_interval: "1s", ping_timeout: "2s", ...(options.engineio ?? {}) },
    socketio: {
      connect_timeout: "3s",
      namespaces: options.namespaces ?? [{ name: "/", anonymous: false }],
      ...(options.socketio ?? {}),
    },
    auth: { secret, ...(options.auth ?? {}) },
    database: { url: database_url, migrations_dir: path.join(REPO, "migrations"), ...(options.database_settings ?? {}) },
    log: { level: options.log_level ?? "warn" },
    plugins: (options.plugins ?? []).map((p) => ({ required: true, ...p })),
    ...(options.extra ?? {}),
  };
  const config_file = path.join(dir, "switchboard.yaml");
  writeFileSync(config_file, JSON.stringify(config, null, 2));

  const command = `${SWITCHBOARD_BIN} serve --config ${config_file}`;
  let server;
  try {
    server = await start_server({ command });
  } catch (error) {
    drop_database();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const deployment = {
    url: server.url,
    port: server.port,
    dir,
    config_file,
    database_url,
    secret,
    output: () => server?.output() ?? "",
    // A token for user `sub` (more claims merged in), valid for an hour.
    token(sub, claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return sign_token(secret, { sub, iat: now, exp: now + 3600, ...claims });
    },
    // Stops the server and starts it again on the same config and database (a new
    // port: url and port are updated). A server that does not come back throws, with
    // its output; stop() still cleans up afterwards.
    async restart() {
      await server?.stop();
      server = null;
      server = await start_server({ command });
      deployment.url = server.url;
      deployment.port = server.port;
      return deployment;
    },
    // Runs another command of the binary (migrate, token...) on this deployment's
    // config: {status, stdout, stderr}.
    cli(...args) {
      const result = spawnSync(SWITCHBOARD_BIN, [...args, "--config", config_file], { encoding: "utf8" });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    // Kills the server with `signal` (SIGKILL: as a crash would); stop() still cleans up.
    kill(signal) {
      return server.kill(signal);
    },
    async stop() {
      const result = await server?.stop();
      drop_database();
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
  return deployment;
}
