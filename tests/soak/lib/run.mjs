// What both soaks share around their scenario: options from the command line, a
// directory for the run's files (server log, samples, summary), the sampler on the
// server with a progress line every sample, and the summary written at the end.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { http_call } from "../../e2e/support/http.mjs";
import { rss_summary, start_sampler } from "./sampler.mjs";

// defaults: {name: number}; every option is --name N on the command line.
export function options(defaults) {
  const { values } = parseArgs({
    options: Object.fromEntries([...Object.keys(defaults), "out"].map((k) => [k.replaceAll("_", "-"), { type: "string" }])),
  });
  const result = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const given = values[key.replaceAll("_", "-")];
    if (given !== undefined) result[key] = Number(given);
  }
  result.out = values.out ?? path.join(os.tmpdir(), `switchboard-soak-${Date.now()}`);
  mkdirSync(result.out, { recursive: true });
  return result;
}

export function log(...parts) {
  console.log(new Date().toISOString().slice(11, 19), ...parts);
}

// Samples the server every 10 s; progress() returns what to print beside each sample.
export function sample_server(server, out, progress = () => ({})) {
  const file = path.join(out, "samples.jsonl");
  return start_sampler(server.pid, {
    extra: progress,
    on_sample(sample) {
      appendFileSync(file, `${JSON.stringify(sample)}\n`);
      log(JSON.stringify(sample));
    },
  });
}

// The server's counters whose names match `pattern`, from /metrics.
export async function metrics(server, pattern) {
  const text = (await http_call(server.url, "GET", "/metrics")).text;
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => pattern.test(line) && !line.startsWith("#"))
      .map((line) => {
        const at = line.lastIndexOf(" ");
        return [line.slice(0, at), Number(line.slice(at + 1))];
      }),
  );
}

// What the server logged (at the run's log level): how many lines, and a few distinct
// ones with their timestamps, request ids and counters stripped.
export function server_log_digest(server) {
  const lines = readFileSync(server.log_file, "utf8").split("\n").filter(Boolean);
  const shapes = new Map();
  for (const line of lines) {
    const shape = line.replace(/^\S+\s+\S+\s+/, "").replace(/ request_id=\S+/g, "").replace(/\d+/g, "N").slice(0, 200);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  return { lines: lines.length, kinds: Object.fromEntries([...shapes].sort((a, b) => b[1] - a[1]).slice(0, 15)) };
}

export function finish(out, summary, sampler, warmup_s) {
  summary.server_process = rss_summary(sampler.samples, warmup_s);
  if (summary.verdict) summary.verdict.rss_flat = summary.server_process.rss_flat;
  summary.machine = { cores: os.cpus().length, loadavg_at_end: os.loadavg().map((x) => Number(x.toFixed(2))) };
  writeFileSync(path.join(out, "summary.json"), JSON.stringify(summary, null, 2));
  log("summary", JSON.stringify(summary, null, 2));
  log(`files in ${out}`);
  return summary;
}
