// The recovery soak's publisher: numbered streams emitted through the server API
// (POST /api/emit), room emits and user emits alternating, at a steady total rate.
// Each stream belongs to one lane and a lane waits for each answer before its next
// emit, so a stream's numbers leave in order while lanes overlap. An emit that did not
// get 200 is retried with the same number (never skipped, never counted twice): a
// retry after an answer lost would show as a duplicate, which the accounting reports.
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function api_emit(url, api_key, body) {
  return new Promise((resolve) => {
    const payload = Buffer.from(JSON.stringify(body));
    const request = http.request(
      `${url}/api/emit`,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": payload.length, "x-api-key": api_key } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode));
      },
    );
    request.on("error", (error) => resolve(error.code ?? "error"));
    request.end(payload);
  });
}

// kinds: lists of streams, e.g. [room streams, user streams], each stream
// {name, target: {rooms: [...]} | {users: [...]}}; every lane takes the kinds in turn.
export function start_publisher({ url, api_key, kinds, rate_per_s, lanes = 8 }) {
  const sent = Object.fromEntries(kinds.flat().map((s) => [s.name, 0]));
  const stats = { emits: 0, failed_attempts: {}, started: Date.now() };
  let running = true;
  const lane_kinds = Array.from({ length: lanes }, (_, l) =>
    kinds.map((streams) => streams.filter((_, i) => i % lanes === l)).filter((streams) => streams.length > 0),
  );
  const interval_ms = (1000 * lanes) / rate_per_s;

  async function run_lane(own) {
    let turn = 0;
    let due = Date.now();
    while (running && own.length > 0) {
      const of_kind = own[turn % own.length];
      const stream = of_kind[Math.floor(turn / own.length) % of_kind.length];
      turn++;
      const seq = sent[stream.name];
      for (;;) {
        const status = await api_emit(url, api_key, { event: "soak", ...stream.target, data: [stream.name, seq] });
        if (status === 200) break;
        stats.failed_attempts[status] = (stats.failed_attempts[status] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      sent[stream.name] = seq + 1;
      stats.emits++;
      due += interval_ms;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else due = Date.now();   // behind: no catch-up burst
    }
  }

  const done = Promise.all(lane_kinds.map(run_lane));
  return {
    sent,
    stats,
    async stop() {
      running = false;
      await done;
      return { sent, emits: stats.emits, failed_attempts: stats.failed_attempts, rate_per_s: stats.emits / ((Date.now() - stats.started) / 1000) };
    },
  };
}
