// Clients for the recovery soak: each is one user in one room, with connection state
// recovery (socket.io-client 4.8, reconnection on). At random it drops its transport —
// a clean close of the Engine.IO connection or, on WebSocket, the TCP socket destroyed
// under it — and reconnects by itself; every reconnection must be a recovery. It
// records the two numbered streams addressed to it ("soak" events: [stream, seq]):
// its room's and its user's.
import { io } from "./modules.mjs";
import { chance, exponential_ms, wait_until } from "./random.mjs";
import { StreamTracker } from "./stream_tracker.mjs";

export const user_stream = (user) => `user:${user}`;

// args: {url, drop_mean_s, clients: [{user, token, room, transports}]}
export function create({ url, drop_mean_s, clients }) {
  const totals = {
    clients: clients.length,
    drops: { engine_close: 0, tcp_destroy: 0 },
    reconnections: 0,
    recovered: 0,
    not_recovered: 0,
    connect_errors: 0,
    unexpected_disconnects: {},
    events: 0,
    events_without_offset: 0,
    events_of_other_streams: 0,
  };
  let dropping = true;
  const members = clients.map(make_client);

  function make_client({ user, token, room, transports }) {
    const socket = io(url, {
      forceNew: true,
      transports,
      auth: { token },
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
    });
    const client = {
      socket,
      user,
      room,
      streams: { [room]: new StreamTracker(), [user_stream(user)]: new StreamTracker() },
      connected_once: false,
      has_offset: false,
      connections: 0,
      history: [],   // connections and drops, for the report of a client with an anomaly
      dropping_now: false,
      timer: null,
    };
    socket.on("soak", (stream, seq, offset) => {
      totals.events++;
      if (typeof offset !== "string") totals.events_without_offset++;
      else client.has_offset = true;
      const tracker = client.streams[stream];
      if (tracker) tracker.receive(seq, { offset, connection: client.connections, at: Date.now(), transport: socket.io.engine?.transport?.name });
      else totals.events_of_other_streams++;
    });
    socket.on("connect", () => {
      client.connections++;
      client.history.push({ at: Date.now(), connect: client.connections, recovered: socket.recovered, id: socket.id });
      if (client.connected_once) {
        totals.reconnections++;
        if (socket.recovered) totals.recovered++;
        else totals.not_recovered++;
      }
      client.connected_once = true;
      schedule_drop(client);
    });
    socket.on("connect_error", () => totals.connect_errors++);
    socket.on("disconnect", (reason) => {
      client.history.push({ at: Date.now(), disconnect: reason });
      if (client.dropping_now) {
        client.dropping_now = false;
        return;
      }
      totals.unexpected_disconnects[reason] = (totals.unexpected_disconnects[reason] ?? 0) + 1;
    });
    return client;
  }

  function schedule_drop(client) {
    clearTimeout(client.timer);
    if (!dropping) return;
    client.timer = setTimeout(() => drop(client), exponential_ms(drop_mean_s));
  }

  function drop(client) {
    const { socket } = client;
    if (!dropping || !socket.connected) return;
    // A client that has received nothing yet has no offset to recover from: it would
    // reconnect fresh (socket.io-client sends the pid alone, and Node then starts a
    // new session too). It waits for its first event.
    if (!client.has_offset) return schedule_drop(client);
    client.dropping_now = true;
    const engine = socket.io.engine;
    const raw = engine.transport?.name === "websocket" ? engine.transport.ws?._socket : null;
    const how = raw && chance(0.5) ? "tcp_destroy" : "engine_close";
    totals.drops[how]++;
    client.history.push({ at: Date.now(), drop: how, transport: engine.transport?.name });
    if (client.history.length > 40) client.history.splice(0, client.history.length - 40);
    if (how === "tcp_destroy") raw.destroy();
    else engine.close();
  }

  const connected = () => members.filter((c) => c.socket.connected).length;

  return {
    async start() {
      await wait_until(() => connected() === members.length, 120_000);
      return { connected: connected() };
    },
    status() {
      return { ...totals, connected: connected() };
    },
    // Stops dropping and waits until every client is connected again.
    async quiesce() {
      dropping = false;
      members.forEach((c) => clearTimeout(c.timer));
      await wait_until(() => connected() === members.length, 60_000);
      return { connected: connected() };
    },
    // sent: {stream: how many were sent}. Waits (up to timeout_ms) until every client
    // has every event, then accounts.
    async account({ sent, timeout_ms }) {
      const complete = (c) => Object.entries(c.streams).every(([s, t]) => t.complete(sent[s] ?? 0));
      await wait_until(() => members.every(complete), timeout_ms);
      const result = { expected: 0, received: 0, lost: 0, duplicates: 0, out_of_order: 0, incomplete_clients: [] };
      for (const c of members) {
        for (const [stream, t] of Object.entries(c.streams)) {
          const n = sent[stream] ?? 0;
          result.expected += n;
          result.received += t.received;
          result.lost += t.lost(n);
          result.duplicates += t.duplicates;
          result.out_of_order += t.out_of_order;
          if ((t.lost(n) || t.duplicates || t.out_of_order) && result.incomplete_clients.length < 10)
            result.incomplete_clients.push({
              user: c.user,
              stream,
              sent: n,
              next: t.next,
              missing: [...t.missing].slice(0, 10),
              duplicates: t.duplicates,
              out_of_order: t.out_of_order,
              anomalies: t.anomalies,
              history: c.history,
            });
        }
      }
      return { ...result, totals: { ...totals, connected: connected() } };
    },
    close() {
      members.forEach((c) => c.socket.disconnect());
    },
  };
}
