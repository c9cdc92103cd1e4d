"use strict";
// The kernel test app on Node's socket.io 4.8: the reference whose behavior
// defines "correct" for the e2e suite. The contract lives in ../README.md; the
// C++ test app on Switchboard follows the same one, so keep the two in step.
//
// Usage: node reference/server.js --port N [--host H]

const http = require("node:http");
const { Server } = require("socket.io");

function parse_args(argv) {
  const options = { port: 0, host: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port" && i + 1 < argv.length) options.port = Number(argv[++i]);
    else if (arg === "--host" && i + 1 < argv.length) options.host = argv[++i];
    else {
      process.stderr.write(`reference server: unknown argument "${arg}"\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    process.stderr.write("reference server: --port expects an integer in 0..65535\n");
    process.exit(2);
  }
  return options;
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

    socket.on("message", (...args) => {
      socket.emit("message-back", ...args);
    });

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

    socket.on("disconnect-me", () => {
      socket.disconnect();
    });

    socket.on("drop-me", () => {
      socket.conn.close();
    });
  });
}

function main() {
  const { port, host } = parse_args(process.argv.slice(2));
  const server = http.createServer();
  const io = new Server(server, {
    path: "/socket.io/",
    transports: ["polling", "websocket"],
    pingInterval: 300,
    pingTimeout: 200,
    maxHttpBufferSize: 1000000,
    connectTimeout: 1000,
    cors: { origin: "*" },
  });
  attach_handlers(io.of("/"));
  attach_handlers(io.of("/custom"));

  server.listen(port, host, () => {
    const address = server.address();
    process.stdout.write(`reference server listening on port ${address.port}\n`);
  });

  const stop = () => {
    io.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
