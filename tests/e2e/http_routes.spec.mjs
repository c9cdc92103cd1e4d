// Plugin routes with path parameters, as a backend calls them: a `{name}` segment
// matches any one segment, a literal route wins over a pattern, a wrong method is 405,
// and the server API's paths stay the kernel's. Registered here by a Lua script, the
// way a seed's glue registers /api/events/{eventId}/participation. WebSocket upgrades
// belong to the Engine.IO path alone.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";

import { http_call } from "./support/http.mjs";
import { start_lua } from "./lua/support.mjs";

const SCRIPT = `
local sb = require("switchboard")
sb.route("GET", "/things/{id}", function(request)
  return { matched = "pattern", path = request.path }
end)
sb.route("GET", "/things/special", function(request)
  return { matched = "literal" }
end)
sb.route("POST", "/events/{eventId}/participation", function(request)
  return { path = request.path, body = request.body }, 202
end)
sb.route("POST", "/api/emit", function(request)
  return { stolen = true }
end)
`;

describe("plugin routes with path parameters", () => {
  let d;
  before(async () => {
    d = await start_lua({ scripts: { "routes.lua": SCRIPT }, extra: { api: { keys: ["routes-spec-key-0123456789"], keys_env: [] } } });
  });
  after(async () => {
    await d?.stop();
  });

  it("matches a {name} segment and hands the handler the whole path", async () => {
    const answer = await http_call(d.url, "GET", "/things/42");
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body, { matched: "pattern", path: "/things/42" });
    const posted = await http_call(d.url, "POST", "/events/ev-7/participation", { body: { userId: "u1" } });
    assert.equal(posted.status, 202, posted.text);
    assert.deepEqual(posted.body, { path: "/events/ev-7/participation", body: '{"userId":"u1"}' });
  });

  it("prefers a literal route, and matches one segment only", async () => {
    assert.deepEqual((await http_call(d.url, "GET", "/things/special")).body, { matched: "literal" });
    assert.equal((await http_call(d.url, "GET", "/things/1/2")).status, 404);
    assert.equal((await http_call(d.url, "GET", "/things/")).status, 404);
    assert.equal((await http_call(d.url, "GET", "/things")).status, 404);
  });

  it("answers 405 for a known path with another method", async () => {
    const answer = await http_call(d.url, "DELETE", "/things/42");
    assert.equal(answer.status, 405);
    assert.equal(answer.body.code, "method_not_allowed");
  });

  it("answers a WebSocket upgrade on a route's path 404 and closes", async () => {
    const { port } = new URL(d.url);
    const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
    let received = "";
    socket.on("data", (chunk) => (received += chunk));
    const closed = new Promise((resolve, reject) => {
      socket.once("close", resolve);
      socket.once("error", reject);
    });
    socket.write(
      "GET /things/42 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    await closed;
    assert.match(received, /^HTTP\/1\.1 404 /, received);
  });

  it("never lets a plugin take the server API's paths", async () => {
    const answer = await http_call(d.url, "POST", "/api/emit", { body: { event: "e" } });
    assert.equal(answer.status, 401, "the server API answered, not the script");
    assert.match(d.output(), /route POST \/api\/emit is taken/);
  });
});
