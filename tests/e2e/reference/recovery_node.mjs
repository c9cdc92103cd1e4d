// A Node socket.io 4.8 server with connectionStateRecovery: the reference a Switchboard
// node's recovery is compared with. Alone (in-memory SessionAwareAdapter) or, given a
// Redis URL, in a cluster on @socket.io/redis-streams-adapter 0.3 next to Switchboard
// nodes in `cluster.adapter: redis-streams` mode. Started inside the test process, so
// a test drives it with Node's own API.
//
// Its clients say who they are in the CONNECT auth ({user}); each joins user:<id> and
// keeps {user: {id}} in socket.data, as a Switchboard socket of that user does.
import http from "node:http";

import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

export async function start_recovery_node({ redis_url, stream, max_disconnection_ms = 120_000 } = {}) {
  let redis;
  const options = {
    connectionStateRecovery: { maxDisconnectionDuration: max_disconnection_ms, skipMiddlewares: true },
    pingInterval: 1000,
    pingTimeout: 2000,
  };
  if (redis_url) {
    redis = createClient({ url: redis_url });
    await redis.connect();
    options.adapter = createAdapter(redis, { streamName: stream, channelPrefix: stream });
  }
  const httpServer = http.createServer();
  const io = new Server(httpServer, options);
  io.use((socket, next) => {
    const user = socket.handshake.auth?.user;
    if (user) {
      socket.data.user = { id: user };
      socket.join(`user:${user}`);
    }
    next();
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address();
  return {
    io,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      io.close();
      await Promise.allSettled([redis?.quit()]);
    },
  };
}
