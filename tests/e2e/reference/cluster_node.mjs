// A Node socket.io 4.8 node on @socket.io/redis-adapter 8.3: `createAdapter` (the
// classic pub/sub adapter), or with `sharded`, `createShardedAdapter` (Redis 7 sharded
// pub/sub, `dynamic` subscriptions): the real peer a Switchboard node must share a
// cluster with.
// Started inside the test process, so a test drives it with Node's own API
// (io.emit, io.fetchSockets(), io.in(room).socketsJoin()...).
//
// Its clients say who they are in the CONNECT auth ({user}); each joins user:<id>, as a
// Switchboard socket of that user does, so "emit to this user" reaches every node.
import http from "node:http";

import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

export async function start_node_peer({ redis_url, key, namespaces = ["/"], sharded = false }) {
  const pub = createClient({ url: redis_url });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const adapter = sharded
    ? createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: "dynamic" })
    : createAdapter(pub, sub, { key, requestsTimeout: 3000 });
  const io = new Server(httpServer, { adapter });
  for (const name of namespaces) {
    io.of(name).use((socket, next) => {
      const user = socket.handshake.auth?.user;
      if (user) {
        socket.data.user = { id: user };
        socket.join(`user:${user}`);
      }
      next();
    });
  }
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address();
  return {
    io,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      io.close();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
