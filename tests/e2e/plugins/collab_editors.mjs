// An editor of the collab specs: a `yjs` document on the real `y-socket.io` provider,
// signed in as `user` on `server` (a deployment or one node of a pair).
import { SocketIOProvider } from "y-socket.io";
import * as Y from "yjs";

import { once } from "../support/client.mjs";

// Opens `doc` as `user`; resolves once synced (the server's sync step 1 came, after
// every stored update). Closed when the test `t` ends.
export async function open_editor(t, server, user, doc) {
  const ydoc = new Y.Doc();
  const provider = new SocketIOProvider(
    server.url,
    doc,
    ydoc,
    { autoConnect: false, disableBc: true, auth: { token: server.token(user) } },
    { reconnection: false },
  );
  const errors = [];
  provider.socket.on("collab:error", (error) => errors.push(error));
  t.after(() => close_editor(provider));
  const synced = once(provider, "sync", { what: `${user} syncing ${doc}` });
  provider.connect();
  await synced;
  return { user, ydoc, provider, errors, text: ydoc.getText("content") };
}

// The provider's disconnect() posts to a BroadcastChannel even with disableBc, which
// then keeps Node alive: closing its socket first makes destroy() skip that.
export function close_editor(provider) {
  provider.socket.disconnect();
  provider.destroy();
}
