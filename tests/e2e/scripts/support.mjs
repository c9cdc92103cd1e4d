// Deployments of the feature scripts shipped in scripts/ (content, diary, calendar,
// payments...), as a deployment's YAML enables them: the lua plugin listing the
// scripts, and the plugin entry naming their migration components.
//
//   const d = await start_features({ database, features: ["content"], settings: {content: {...}} });
//   const ann = await user(t, d, "ann");
//   const [error, item] = await call(ann, "content:create", { title: "x" });
import assert from "node:assert/strict";
import path from "node:path";

import { Clients, request_all, unique } from "../support/client.mjs";
import { REPO } from "../support/deployment.mjs";
import { start_lua } from "../lua/support.mjs";

export const SHIPPED = path.join(REPO, "scripts");
export const WS = { name: "websocket", options: { transports: ["websocket"] } };

// A fence for "did not receive" assertions (support/client.mjs fence()): the test app's
// "emit", namespace-wide.
const FENCE = `local sb = require("switchboard")
sb.on("emit", function(ctx, spec) sb.emit{ event = spec.event, args = spec.args } return true end)
`;

// options: features (script names in scripts/, also their migration components unless
// options.migrations says otherwise), settings (switchboard.config), scripts (more
// test scripts: {file name: source}), and the rest for start_lua / start_deployment
// (database, log_level...).
export async function start_features({ features, settings = {}, migrations, config = {}, scripts = {}, ...rest }) {
  return start_lua({
    scripts: { ...scripts, "fence.lua": FENCE },
    load: [...features.map((name) => path.join(SHIPPED, `${name}.lua`)), ...Object.keys(scripts), "fence.lua"],
    migrations: migrations ?? features,
    config: { settings, ...config },
    namespaces: [{ name: "/", anonymous: false }],
    ...rest,
  });
}

// A connected client for user `name` (a fresh unique id when omitted); closed when the
// test ends.
export async function user(t, d, name = unique("user")) {
  const clients = t.clients ?? (t.clients = new Clients(t, d));
  const client = await clients.connect(WS, { auth: { token: d.token(name) } });
  client.name = name;
  return client;
}

// Emits with an ack: resolves with [error, result] as the feature scripts answer.
export async function call(client, event, ...args) {
  const answer = await request_all(client, event, ...args);
  return [answer[0] ?? null, answer[1]];
}

// The result of a call that must succeed.
export async function ok(client, event, ...args) {
  const [error, result] = await call(client, event, ...args);
  assert.equal(error, null, `${event} failed: ${JSON.stringify(error)}`);
  return result;
}

// The error code of a call that must fail.
export async function refused(client, event, ...args) {
  const [error] = await call(client, event, ...args);
  assert.ok(error && typeof error.code === "string", `${event} should fail, got ${JSON.stringify(error)}`);
  assert.equal(typeof error.message, "string");
  return error.code;
}
