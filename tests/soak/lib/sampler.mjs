// Samples a process from /proc every interval: resident memory, CPU (user + system,
// as a share of one core over the interval), open descriptors, and the machine's load
// average (the machine is shared, so CPU figures mean little without it).
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100;   // USER_HZ: 100 on every Linux ABI Node runs on

function cpu_ticks(pid) {
  // Fields after the command name (which may hold spaces, hence the last ')').
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);   // utime, stime
}

function rss_kib(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : NaN;
}

function read_sample(pid) {
  return {
    ticks: cpu_ticks(pid),
    rss_mib: rss_kib(pid) / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    load1: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
  };
}

// on_sample(sample) is called with {t_s, rss_mib, cpu_pct, fds, load1, ...extra()}.
export function start_sampler(pid, { interval_ms = 10_000, extra = () => ({}), on_sample = () => {} } = {}) {
  const started = Date.now();
  const samples = [];
  let previous = { ...read_sample(pid), at: started };
  const take = () => {
    let now;
    try {
      now = { ...read_sample(pid), at: Date.now() };
    } catch {
      return;   // the process is gone: the run records that on its own
    }
    const seconds = (now.at - previous.at) / 1000;
    const sample = {
      t_s: Math.round((now.at - started) / 1000),
      rss_mib: Number(now.rss_mib.toFixed(1)),
      cpu_pct: Number((((now.ticks - previous.ticks) / CLOCK_TICKS / seconds) * 100).toFixed(1)),
      fds: now.fds,
      load1: now.load1,
      ...extra(),
    };
    previous = now;
    samples.push(sample);
    on_sample(sample);
  };
  const timer = setInterval(take, interval_ms);
  return {
    samples,
    stop() {
      clearInterval(timer);
    },
  };
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

// Least-squares slope of rss over time, in MiB per minute.
function slope_mib_per_min(samples) {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.t_s / 60);
  const ys = samples.map((s) => s.rss_mib);
  const mx = mean(xs);
  const my = mean(ys);
  const num = xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

// After warm-up, RSS is "flat" when the mean of the last quarter of the samples is
// within max(4 MiB, 5%) of the mean of the first quarter after warm-up: growth that
// continues for the whole run shows there, a one-off step early on does not.
export function rss_summary(samples, warmup_s) {
  const after = samples.filter((s) => s.t_s >= warmup_s);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const early = mean(after.slice(0, quarter).map((s) => s.rss_mib));
  const late = mean(after.slice(-quarter).map((s) => s.rss_mib));
  const growth = late - early;
  const round = (x) => Number(x.toFixed(1));
  return {
    samples: samples.length,
    warmup_s,
    rss_start_mib: samples[0]?.rss_mib,
    rss_after_warmup_mib: round(early),
    rss_end_mib: round(late),
    rss_max_mib: Math.max(...samples.map((s) => s.rss_mib)),
    rss_growth_after_warmup_mib: round(growth),
    rss_slope_after_warmup_mib_per_min: Number(slope_mib_per_min(after).toFixed(3)),
    rss_flat: after.length >= 2 && growth <= Math.max(4, early * 0.05),
    cpu_mean_pct: round(mean(samples.map((s) => s.cpu_pct))),
    cpu_max_pct: Math.max(...samples.map((s) => s.cpu_pct)),
    load1_mean: round(mean(samples.map((s) => s.load1))),
    load1_max: Math.max(...samples.map((s) => s.load1)),
    fds_max: Math.max(...samples.map((s) => s.fds)),
  };
}
