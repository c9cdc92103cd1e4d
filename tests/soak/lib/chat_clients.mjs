// Well-behaved clients for the hardening soak: each is one user of the chat plugin in
// one public room. It joins (again after every reconnection), sends a message now and
// then and times its ack, and at random leaves and comes back — disconnecting and
// connecting again, or dropping its transport and letting the client reconnect. Any
// refused connection, unexpected disconnection, error ack or ack timeout is a failure.
import { monitorEventLoopDelay } from "node:perf_hooks";

import { io } from "./modules.mjs";
import { LatencyLog } from "./latency.mjs";
import { chance, exponential_ms, wait_until } from "./random.mjs";

// args: {url, send_mean_s, reconnect_mean_s, ack_timeout_ms, clients: [{user, token, room, transports}]}
export function create({ url, send_mean_s, reconnect_mean_s, ack_timeout_ms, clients }) {
  const acks = new LatencyLog();
  // While thousands of clients connect at once on a loaded machine, a client may time
  // out on its own: those failures are counted apart from the soak's.
  const setup_failures = {};
  let serving = false;
  const failed = (why) => {
    if (serving) acks.failed(why);
    else setup_failures[why] = (setup_failures[why] ?? 0) + 1;
  };
  const totals = { clients: clients.length, messages_received: 0, reconnections: { disconnect_connect: 0, transport_drop: 0 } };
  let running = true;
  // This process's own event-loop delay, per minute: on a starved machine a client
  // that could not run tells its late acks apart from a slow server.
  const loop_delay = monitorEventLoopDelay({ resolution: 20 });
  loop_delay.enable();
  const loop_delay_max_ms = [];
  const loop_sampler = setInterval(() => {
    const minute = Math.floor((Date.now() - acks.started) / 60_000);
    loop_delay_max_ms[minute] = Math.max(loop_delay_max_ms[minute] ?? 0, Math.round(loop_delay.max / 1e6));
    loop_delay.reset();
  }, 1_000);
  const members = clients.map(make_client);

  // Emits with an ack and times it; the chat plugin acks [null, result] or [error].
  function timed(client, event, payload, what) {
    const began = performance.now();
    client.pending++;
    client.socket.timeout(ack_timeout_ms).emit(event, payload, (timeout, error) => {
      client.pending--;
      if (timeout) failed(`${what}: no ack within ${ack_timeout_ms} ms`);
      else if (error) failed(`${what}: ${error.code}`);
      else acks.ok(performance.now() - began);
    });
  }

  function make_client({ user, token, room, transports }) {
    const socket = io(url, { forceNew: true, transports, auth: { token }, reconnectionDelay: 500, reconnectionDelayMax: 2000 });
    const client = { socket, user, room, pending: 0, leaving: false, sent: 0, timers: [] };
    socket.on("connect", () => timed(client, "chat:join", { room }, "join"));
    socket.on("connect_error", (error) => failed(`connect_error: ${error.message}`));
    socket.on("disconnect", (reason) => {
      if (client.leaving) client.leaving = false;
      else if (running) failed(`disconnected: ${reason}`);
    });
    socket.on("chat:message", () => totals.messages_received++);
    const every = (mean_s, fn) => {
      const slot = client.timers.push(null) - 1;
      const next = () => {
        if (running) client.timers[slot] = setTimeout(() => (fn(), next()), exponential_ms(mean_s));
      };
      next();
    };
    every(send_mean_s, () => {
      if (socket.connected) timed(client, "chat:send", { room, text: `${user} #${client.sent++}` }, "send");
    });
    every(reconnect_mean_s, () => leave_and_return(client));
    return client;
  }

  // Never with an ack outstanding: its loss would be our doing, not the server's.
  function leave_and_return(client) {
    const { socket } = client;
    if (!socket.connected || client.pending > 0) return;
    client.leaving = true;
    if (chance(0.5)) {
      totals.reconnections.disconnect_connect++;
      socket.disconnect();
      setTimeout(() => running && socket.connect(), Math.random() * 2000);
    } else {
      totals.reconnections.transport_drop++;
      socket.io.engine.close();   // the client reconnects by itself
    }
  }

  const connected = () => members.filter((c) => c.socket.connected).length;

  return {
    async start() {
      await wait_until(() => connected() === members.length, 600_000);
      serving = true;
      return { connected: connected(), setup_failures };
    },
    status() {
      return { connected: connected(), acks: acks.values.length, failures: { ...acks.failures } };
    },
    // Stops sending and reconnecting, waits for the acks still due, and reports.
    async report() {
      running = false;
      members.forEach((c) => c.timers.forEach(clearTimeout));
      await wait_until(() => members.every((c) => c.pending === 0), ack_timeout_ms + 5_000);
      members.forEach((c) => c.socket.disconnect());
      clearInterval(loop_sampler);
      return { acks: { values: acks.values, failures: acks.failures, minutes: acks.minutes }, setup_failures, loop_delay_max_ms, totals };
    },
  };
}
