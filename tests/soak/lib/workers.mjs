// Client processes: each runs one role module (recovery_clients, chat_clients or
// probes) in a forked Node process, so that thousands of clients spread over cores and
// stay under the per-process descriptor limit. The parent asks every worker the same
// question and gets their answers in an array.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./client_worker.mjs", import.meta.url));

function start_worker(role, args) {
  const child = fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let next_id = 0;
  const waiting = new Map();
  child.on("message", ({ id, result, error }) => {
    const pending = waiting.get(id);
    if (!pending) return;
    waiting.delete(id);
    error ? pending.reject(new Error(`${role} worker: ${error}`)) : pending.resolve(result);
  });
  child.on("exit", (code, signal) => {
    for (const pending of waiting.values()) pending.reject(new Error(`${role} worker exited (${code ?? signal})`));
    waiting.clear();
  });
  const ask = (type, payload) =>
    new Promise((resolve, reject) => {
      const id = next_id++;
      waiting.set(id, { resolve, reject });
      child.send({ id, type, payload });
    });
  return { child, ask, ready: ask("start", { role, args }) };
}

// shards: one `args` per worker.
export async function start_workers(role, shards) {
  const workers = shards.map((args) => start_worker(role, args));
  await Promise.all(workers.map((w) => w.ready));
  return {
    ask: (type, payload) => Promise.all(workers.map((w) => w.ask(type, payload))),
    stop() {
      for (const w of workers) w.child.kill("SIGTERM");
    },
  };
}

// Splits `items` into `count` nearly equal slices.
export function shard(items, count) {
  const size = Math.ceil(items.length / count);
  return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size)).filter((s) => s.length > 0);
}
