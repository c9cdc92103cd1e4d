// Two Switchboard nodes of one deployment on the throwaway Redis of tools/test-services
// (a cluster key of their own), sharing one database and one JWT secret as nodes
// behind a load balancer do: a token of `a` is good on `b`.
//
//   const { a, b, stop } = await start_node_pair({ plugins: [{ name: "location" }] });
//
// Options are start_deployment's, and `adapter`: cluster.adapter, by default
// $SWITCHBOARD_TEST_CLUSTER_ADAPTER or `redis` (so a run can take the specs through
// redis-sharded or redis-streams). `database: "postgresql"` gives both nodes one
// PostgreSQL database (the default SQLite file is node a's, which b opens too: enough
// for plugins that keep nothing in the database). Resolves once both nodes are
// subscribed to Redis, so what one publishes next reaches the other.
import { randomBytes } from "node:crypto";

import { cluster_ready, REDIS_URL, redis_url_or_fail } from "./cluster.mjs";
import { start_deployment } from "./deployment.mjs";

export { REDIS_URL };

// Whether a suite needing Redis runs: in CI a missing Redis fails it instead.
export const redis_available = () => Boolean(redis_url_or_fail());

export async function start_node_pair(options = {}) {
  const adapter = options.adapter ?? process.env.SWITCHBOARD_TEST_CLUSTER_ADAPTER ?? "redis";
  const cluster = { adapter, url: REDIS_URL, key: `sb-pair-${randomBytes(4).toString("hex")}`, requests_timeout: "3s" };
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
    await Promise.all([cluster_ready(a), cluster_ready(b)]);
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
