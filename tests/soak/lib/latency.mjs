// Latencies of one kind of request, with what failed and a per-minute record so that
// "served throughout" can be read minute by minute, not only as a whole-run average.
export class LatencyLog {
  values = [];
  failures = {};
  minutes = [];
  started = Date.now();

  #minute() {
    const index = Math.floor((Date.now() - this.started) / 60_000);
    while (this.minutes.length <= index) this.minutes.push({ ok: 0, failed: 0, max_ms: 0 });
    return this.minutes[index];
  }

  ok(ms) {
    this.values.push(ms);
    const m = this.#minute();
    m.ok++;
    m.max_ms = Math.max(m.max_ms, Math.round(ms));
  }

  failed(why) {
    this.failures[why] = (this.failures[why] ?? 0) + 1;
    this.#minute().failed++;
  }
}

export function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]) : null);
  return { count: sorted.length, p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: sorted.length ? Math.round(sorted[sorted.length - 1]) : null };
}

// Folds the logs of several workers: {latency, failures, minutes}.
export function merge_logs(logs) {
  const minutes = [];
  for (const log of logs) {
    log.minutes.forEach((m, i) => {
      minutes[i] ??= { ok: 0, failed: 0, max_ms: 0 };
      minutes[i].ok += m.ok;
      minutes[i].failed += m.failed;
      minutes[i].max_ms = Math.max(minutes[i].max_ms, m.max_ms);
    });
  }
  return { latency: percentiles(logs.flatMap((l) => l.values)), failures: merge_counts(logs.map((l) => l.failures)), minutes };
}

// Adds up counters by name: [{a: 1}, {a: 2, b: 1}] → {a: 3, b: 1}.
export function merge_counts(list) {
  const out = {};
  for (const counts of list) for (const [k, n] of Object.entries(counts ?? {})) out[k] = (out[k] ?? 0) + n;
  return out;
}
