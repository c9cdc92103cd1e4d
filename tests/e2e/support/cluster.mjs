// What the cluster specs share: the throwaway Redis of tools/test-services, a node's
// /metrics figures, when a node has joined the cluster, and the server API with a
// spec's key (and, for them, client.mjs's until with a longer default wait).
import { until as poll_until } from "./client.mjs";
import { http_call } from "./http.mjs";

export const REDIS_URL = process.env.SWITCHBOARD_TEST_REDIS_URL;
// What crosses Redis to another node may take a while on a loaded 2-core machine; only
// a failing wait takes this long.
const WAIT_MS = 10_000;

export const until = (probe, what, ms = WAIT_MS) => poll_until(probe, what, ms);

// The Redis of tools/test-services; on CI its absence is a failure, elsewhere the spec
// is skipped (null).
export function redis_url_or_fail() {
  if (REDIS_URL) return REDIS_URL;
  if (process.env.CI) throw new Error("SWITCHBOARD_TEST_REDIS_URL is not set: run tools/test-services start");
  return null;
}

// A figure of `node`'s /metrics (NaN when it has no such line).
export async function metric(node, name) {
  const text = (await http_call(node.url, "GET", "/metrics")).text;
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : NaN;
}

// A node serves before its adapter has subscribed to Redis; what is published to the
// cluster before then does not reach it. Its /metrics says when it has.
export async function cluster_ready(node, ms = WAIT_MS) {
  await until(async () => (await metric(node, "switchboard_cluster_redis_connected")) === 1,
    `${node.url} subscribed to Redis`, ms);
}

// The server API of a node, called with `key`: api(node, method, path, body).
export function api_with_key(key) {
  return (node, method, path, body) => http_call(node.url, method, path, { body, headers: { "x-api-key": key } });
}

// The sockets a spec's tests open, with their users. `close()` ends a test: it closes
// them and waits until no node counts them any more. The tests share user names
// (user:ann...), and a socket a node has not yet seen leave would take part in the next
// test's joins, counts and acks. `ask(path)` calls a node's server API (it counts
// cluster-wide).
export class OpenSockets {
  #sockets = [];
  #users = new Set();

  constructor(ask) {
    this.ask = ask;
  }

  add(socket, user) {
    this.#sockets.push(socket);
    this.#users.add(user);
  }

  // Closes them without waiting (at the end of a spec).
  close_now() {
    this.#sockets.splice(0).forEach((s) => s.disconnect());
    const users = [...this.#users];
    this.#users.clear();
    return users;
  }

  async close() {
    const users = this.close_now();
    await until(async () => {
      for (const user of users)
        if ((await this.ask(`/api/rooms/${encodeURIComponent(`user:${user}`)}/count`)).body.sockets !== 0) return false;
      return true;
    }, "the test's sockets gone on every node");
  }
}
