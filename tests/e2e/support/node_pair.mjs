// Two Switchboard nodes of one deployment on the throwaway Redis of tools/test-services
// (cluster adapter `redis`, a cluster key of their own), sharing one database and one
// JWT secret as nodes behind a load balancer do: a token of `a` is good on `b`.
//
//   const { a, b, stop } = await start_node_pair({ plugins: [{ name: "location" }] });
//
// Options are start_deployment's; `database: "postgresql"` gives both nodes one
// PostgreSQL database (the default SQLite file is node a's, which b opens too: enough
// for plugins that keep nothing in the database). Resolves once both nodes are
// subscribed to Redis, so what one publishes next reaches the other.
import { randomBytes } from "node:crypto";

import { start_deployment } from "./deployment.mjs";
import { http_call } from "./http.mjs";
import { until } from "./recovery.mjs";

export const REDIS_URL = process.env.SWITCHBOARD_TEST_REDIS_URL;

// Whether a suite needing Redis runs: in CI a missing Redis fails it instead.
export function redis_available() {
  if (REDIS_URL) return true;
  if (process.env.CI) throw new Error("SWITCHBOARD_TEST_REDIS_URL is not set: run tools/test-services start");
  return false;
}

async function subscribed(node) {
  await until(async () => /^switchboard_cluster_redis_connected 1$/m.test((await http_call(node.url, "GET", "/metrics")).text),
    `${node.url} subscribed to Redis`);
}

export async function start_node_pair(options = {}) {
  const cluster = { adapter: "redis", url: REDIS_URL, key: `sb-pair-${randomBytes(4).toString("hex")}`, requests_timeout: "3s" };
  const extra = { ...(options.extra ?? {}), cluster };
  const a = await start_deployment({ ...options, extra });
  let b;
  try {
    b = await start_deployment({
      ...options,
      database: "sqlite",   // not a second database: node a's, below
      database_settings: { ...(options.database_settings ?? {}), url: a.database_url },
      auth: { ...(options.auth ?? {}), secret: a.secret },
      extra,
    });
    b.token = a.token;   // one secret, as b's config says
    await Promise.all([subscribed(a), subscribed(b)]);
  } catch (error) {
    await b?.stop();
    await a.stop();
    throw error;
  }
  return {
    a,
    b,
    async stop() {
      await b.stop();
      await a.stop();
    },
  };
}
