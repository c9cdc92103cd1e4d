"use strict";
// The kernel test app on Node's socket.io 4.8: the reference whose behavior
// defines "correct" for the e2e suite, and the benchmark's opponent. The contract
// lives in ../README.md; the C++ test app on Switchboard follows the same one, so
// keep the two in step. The defaults are the reference test server's heartbeat; the
// benchmark passes production ones (bench/switchboard-bench.yaml).
//
// Usage: node reference/server.js --port N [--host H] [--ping-interval MS]
//                                 [--ping-timeout MS] [--connect-timeout MS]
//                                 [--redis URL [--redis-key KEY]]
// --redis makes it a cluster node on @socket.io/redis-adapter (the classic pub/sub
// adapter), as the benchmark's two-node row runs it.

const http = require("node:http");
const { Server } = require("socket.io");

const integer_options = {
  "--port": "port",
  "--ping-interval": "ping_interval",
  "--ping-timeout": "ping_timeout",
  "--connect-timeout": "connect_timeout",
};

function parse_args(argv) {
  const options = { port: 0, host: undefined, ping_interval: 300, ping_timeout: 200, connect_timeout: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg in integer_options && i + 1 < argv.length) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) fail(`${arg} expects a non-negative integer`);
      options[integer_options[arg]] = value;
    } else if (arg === "--host" && i + 1 < argv.length) {
      options.host = argv[++i];
    } else if (arg === "--redis" && i + 1 < argv.length) {
      options.redis = argv[++i];
    } else if (arg === "--redis-key" && i + 1 < argv.length) {
      options.redis_key = argv[++i];
    } else {
      fail(`unknown argument "${arg}"`);
    }
  }
  if (options.port > 65535) fail("--port expects an integer in 0..65535");
  return options;
}

function fail(message) {
  process.stderr.write(`reference server: ${message}\n`);
  process.exit(2);
}

// A trailing function argument is the client's ack callback, if it asked for one.
function split_ack(args) {
  if (args.length > 0 && typeof args[args.length - 1] === "function") {
    return { args: args.slice(0, -1), ack: args[args.length - 1] };
  }
  return { args, ack: undefined };
}

function attach_handlers(nsp) {
  nsp.on("connection", (socket) => {
    socket.emit("auth", socket.handshake.auth);

    socket.on("message", (...args) => socket.emit("message-back", ...args));

    socket.on("message-with-ack", (...raw) => {
      const { args, ack } = split_ack(raw);
      ack?.(...args);
    });

    socket.on("join", (room, ack) => {
      socket.join(room);
      if (typeof ack === "function") ack(true);
    });

    socket.on("leave", (room, ack) => {
      socket.leave(room);
      if (typeof ack === "function") ack(true);
    });

    socket.on("rooms", (ack) => {
      if (typeof ack === "function") ack([...socket.rooms].sort());
    });

    socket.on("emit", (request, ack) => {
      const { to, except, event, args, exclude_self, volatile } = request ?? {};
      let op = exclude_self ? socket.broadcast : nsp;
      if (to !== undefined && to !== null) op = op.to(to);
      if (except !== undefined && except !== null) op = op.except(except);
      if (volatile) op = op.volatile;
      op.emit(event, ...(args ?? []));
      if (typeof ack === "function") ack(true);
    });

    socket.on("ask", (request, ack) => {
      const { event, args, timeout } = request ?? {};
      socket.timeout(timeout).emit(event, ...(args ?? []), (err, ...response) => {
        if (typeof ack !== "function") return;
        ack(err ? { error: "timeout" } : { response });
      });
    });

    socket.on("disconnect-me", () => socket.disconnect());

    socket.on("drop-me", () => socket.conn.close());
  });
}

// The classic Redis adapter's two connections, connected, or no adapter.
async function redis_adapter(options) {
  if (!options.redis) return undefined;
  const { createAdapter } = require("@socket.io/redis-adapter");
  const { createClient } = require("redis");
  const pub = createClient({ url: options.redis });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  return createAdapter(pub, sub, { key: options.redis_key ?? "socket.io" });
}

async function main() {
  const options = parse_args(process.argv.slice(2));
  const adapter = await redis_adapter(options);
  const server = http.createServer();
  const io = new Server(server, {
    adapter,
    path: "/socket.io/",
    transports: ["polling", "websocket"],
    pingInterval: options.ping_interval,
    pingTimeout: options.ping_timeout,
    maxHttpBufferSize: 1000000,
    connectTimeout: options.connect_timeout,
    cors: { origin: "*" },
  });
  attach_handlers(io.of("/"));
  attach_handlers(io.of("/custom"));

  server.listen(options.port, options.host, () => {
    process.stdout.write(`reference server listening on port ${server.address().port}\n`);
  });

  const stop = () => {
    io.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => fail(error.message));
