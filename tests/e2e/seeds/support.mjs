// Starts a seed's own deployment (examples/seeds/<name>/switchboard.yaml) for a spec:
// the shipped YAML, with only what a test must own rewritten: the database (a fresh
// SQLite file or PostgreSQL database), the listening address, the migrations and
// scripts as absolute paths, and chosen Lua settings (a short typing timeout). The
// JWT secret and the API key come from the environment, as in production.
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe } from "node:test";

import { cluster_ready } from "../support/cluster.mjs";
import { REPO, SWITCHBOARD_BIN, sign_token } from "../support/deployment.mjs";
import { start_server } from "../support/server.mjs";

function psql(url, sql) {
  execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql], { stdio: "pipe" });
}

function admin_url(url) {
  const u = new URL(url);
  u.pathname = "/postgres";
  return u.toString();
}

// replace: [[RegExp, replacement]] applied to the YAML text after the standard ones;
// each must match, so a YAML that drifted fails loudly instead of testing defaults.
// append: YAML text added at the end (a top-level section, e.g. cluster). like: another
// start_seed's result whose secret, API key and database this node shares (a second
// node of one deployment).
// name: a seed's folder under examples/seeds/, or a path from the checkout's root
// holding a switchboard.yaml (examples/first-run).
export async function start_seed(name, { database = "sqlite", replace = [], append = "", like } = {}) {
  const seed_dir = name.includes("/") ? path.join(REPO, name) : path.join(REPO, "examples", "seeds", name);
  name = path.basename(seed_dir);
  const dir = mkdtempSync(path.join(tmpdir(), `switchboard-seed-${name}-`));
  const secret = like?.secret ?? randomBytes(16).toString("hex");
  const api_key = like?.api_key ?? randomBytes(16).toString("hex");
  let database_url = like?.database_url ?? `sqlite:${path.join(dir, "seed.db")}`;
  let drop_database = () => {};
  if (database === "postgresql" && !like) {
    const base = process.env.SWITCHBOARD_TEST_POSTGRES_URL;
    if (!base) throw new Error("SWITCHBOARD_TEST_POSTGRES_URL is not set: run tools/test-services start");
    const db = `sb_seed_${randomBytes(6).toString("hex")}`;
    psql(admin_url(base), `CREATE DATABASE ${db}`);
    const u = new URL(base);
    u.pathname = `/${db}`;
    database_url = u.toString();
    drop_database = () => {
      try {
        psql(admin_url(base), `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      } catch {
        // the server may be gone already; the cluster is throwaway anyway
      }
    };
  }

  let yaml = readFileSync(path.join(seed_dir, "switchboard.yaml"), "utf8");
  // [pattern, replacement, optional]: a YAML already on loopback, or without a
  // migrations_dir (the server finds the platform's next to its binary), needs no rewrite.
  const rewrites = [
    [/^(\s*host:\s*)0\.0\.0\.0\s*$/m, "$1127.0.0.1", true],
    [/^(\s*url:\s*)sqlite:\S+.*$/m, `$1"${database_url}"`],
    [/^(\s*migrations_dir:\s*)\S+.*$/m, `$1${path.join(REPO, "migrations")}`, true],
    [/^(\s*scripts:\s*)\[([^\]]*)\]/m, (_, head, list) =>
      head + "[" + list.split(",").map((s) => JSON.stringify(path.join(seed_dir, s.trim()))).join(", ") + "]"],
    [/^(\s*module_paths:\s*)\[([^\]]*)\]/m, (_, head, list) =>
      head + "[" + list.split(",").map((s) => JSON.stringify(path.join(seed_dir, s.trim()))).join(", ") + "]", true],
    ...replace,
  ];
  for (const [pattern, replacement, optional] of rewrites) {
    if (!pattern.test(yaml)) {
      if (optional) continue;
      throw new Error(`${name}/switchboard.yaml: nothing matches ${pattern}`);
    }
    yaml = yaml.replace(pattern, replacement);
  }
  // Lua cannot read the environment: a seed whose script checks API keys itself lists
  // them in its settings (api_keys: []), filled here with the environment's key.
  yaml = yaml.replace(/^(\s*api_keys:\s*)\[\]/m, `$1["${api_key}"]`);
  const config_file = path.join(dir, "switchboard.yaml");
  writeFileSync(config_file, yaml + (append ? `\n${append}\n` : ""));

  const command =
    `SWITCHBOARD_JWT_SECRET=${secret} SWITCHBOARD_API_KEY=${api_key} exec ${SWITCHBOARD_BIN} serve ` +
    `--config ${config_file} --log-level warn`;
  let server;
  try {
    server = await start_server({ command });
  } catch (error) {
    drop_database();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    api_key,
    secret,
    database_url,
    output: () => server.output?.() ?? "",
    // A token as the app's auth system would issue it: sub, name, optional image.
    token(sub, claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return sign_token(secret, { sub, name: sub, iat: now, exp: now + 3600, ...claims });
    },
    // A call to the server's HTTP API as the app's backend makes it.
    async api(method, route, body, { key = api_key } = {}) {
      const response = await fetch(server.url + route, {
        method,
        headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, body: json };
    },
    async stop() {
      await server.stop();
      drop_database();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Runs `behaves(get, {nodes: 2})` against two nodes of the seed's deployment over Redis,
// sharing one PostgreSQL database as in production. `get()` returns a node whose `url`
// alternates between the two on every read, so a test's users (and its backend calls)
// are spread over both nodes.
export function on_two_nodes(name, behaves) {
  const redis = process.env.SWITCHBOARD_TEST_REDIS_URL;
  describe(`${name} on two nodes over Redis`, { skip: !redis && !process.env.CI && "no Redis" }, () => {
    let a;
    let b;
    let turn = 0;
    const node = () => (turn++ % 2 === 0 ? a : b);
    before(async () => {
      if (!redis) throw new Error("SWITCHBOARD_TEST_REDIS_URL is not set: run tools/test-services start");
      const key = `${name}-${randomBytes(4).toString("hex")}`;
      const append = `cluster:\n  adapter: redis\n  url: ${redis}\n  key: ${key}\n  requests_timeout: 3s`;
      a = await start_seed(name, { database: "postgresql", append });
      b = await start_seed(name, { append, like: a });
      // A node serves before its adapter has subscribed: a test's first cluster-wide
      // event could otherwise be published into the gap.
      await Promise.all([cluster_ready(a), cluster_ready(b)]);
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
    });
    behaves(() => {
      const d = node();
      return { ...d, get url() { return node().url; } };
    }, { nodes: 2 });
  });
}

// `token` with a signature that cannot verify: its first character changed. (Changing
// the last characters can leave the signature's bytes as they were: the final base64url
// character carries padding bits a decoder may ignore.)
export function forged(token) {
  const [header, payload, signature] = token.split(".");
  return `${header}.${payload}.${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
}
