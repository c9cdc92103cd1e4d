// HTTP-level behavior of the Engine.IO endpoint, with raw requests: the
// handshake, every refusal with its status and JSON body, overlapping polls,
// the payload limit, the heartbeat deadline, websocket refusals and CORS.
// Every expected body here was taken from the reference server (socket.io 4.8).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { DEFAULT_TIMEOUT_MS, with_timeout } from "./support/client.mjs";
import { ENGINE_PATH, http_request, json_body, polling_handshake } from "./support/http.mjs";
import { start_server } from "./support/server.mjs";

let server;
before(async () => {
  server = await start_server();
});
after(async () => {
  await server?.stop();
});

const TEST = { timeout: 15_000 };
const MAX_PAYLOAD = 1_000_000;
const RECORD_SEPARATOR = "\x1e";

function assert_refusal(response, status, body, what) {
  assert.equal(response.status, status, `${what}: status (body ${JSON.stringify(response.body)})`);
  assert.match(response.headers["content-type"] ?? "", /^application\/json/, `${what}: content type`);
  assert.deepStrictEqual(json_body(response), body, `${what}: body`);
}

const UNSUPPORTED_VERSION = { code: 5, message: "Unsupported protocol version" };
const TRANSPORT_UNKNOWN = { code: 0, message: "Transport unknown" };
const SESSION_UNKNOWN = { code: 1, message: "Session ID unknown" };
const BAD_HANDSHAKE_METHOD = { code: 2, message: "Bad handshake method" };
const BAD_REQUEST = { code: 3, message: "Bad request" };

// Opens a raw websocket. Resolves {status} when the upgrade is refused with an
// HTTP answer, {failed} when the connection ends (or breaks) before any
// message, or {socket, first_message} when a first message arrives.
function raw_websocket(query) {
  const url = `${server.url.replace("http", "ws")}${ENGINE_PATH}?${new URLSearchParams(query)}`;
  const opening = new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode });
      socket.terminate();
    });
    socket.once("message", (data) => resolve({ socket, first_message: data.toString() }));
    socket.once("error", (error) => resolve({ failed: error.message }));
    socket.once("close", (code) => resolve({ failed: `closed with code ${code}` }));
  });
  return with_timeout(opening, DEFAULT_TIMEOUT_MS, `websocket ${url}`);
}

describe("handshake", () => {
  test("a polling handshake returns the open packet with the server's settings", TEST, async () => {
    const response = await http_request(server, { query: { EIO: "4", transport: "polling" } });
    assert.equal(response.status, 200);
    assert.match(response.headers["content-type"] ?? "", /^text\/plain/);
    assert.equal(response.body[0], "0", "an open packet");
    const open = JSON.parse(response.body.slice(1));
    assert.equal(typeof open.sid, "string");
    assert.ok(open.sid.length > 0);
    assert.deepStrictEqual(
      { upgrades: open.upgrades, pingInterval: open.pingInterval, pingTimeout: open.pingTimeout, maxPayload: open.maxPayload },
      { upgrades: ["websocket"], pingInterval: 300, pingTimeout: 200, maxPayload: MAX_PAYLOAD },
    );
  });

  test("a websocket handshake sends the open packet with no upgrades", TEST, async () => {
    const { socket, first_message, status } = await raw_websocket({ EIO: "4", transport: "websocket" });
    assert.equal(status, undefined, "the websocket upgrade was accepted");
    try {
      assert.equal(first_message[0], "0");
      const open = JSON.parse(first_message.slice(1));
      assert.ok(open.sid);
      assert.deepStrictEqual(open.upgrades, []);
      assert.equal(open.pingInterval, 300);
      assert.equal(open.pingTimeout, 200);
      assert.equal(open.maxPayload, MAX_PAYLOAD);
    } finally {
      socket.terminate();
    }
  });

  test("a raw polling session: CONNECT, then the CONNECT reply and the auth event in one payload", TEST, async () => {
    const { sid } = await polling_handshake(server);
    const posted = await http_request(server, {
      method: "POST",
      query: { EIO: "4", transport: "polling", sid },
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: '40{"token":"raw"}',
    });
    assert.equal(posted.status, 200);
    assert.equal(posted.body, "ok");

    // The reply and the event may come in one poll or two.
    const packets = [];
    while (packets.length < 2) {
      const polled = await http_request(server, { query: { EIO: "4", transport: "polling", sid } });
      assert.equal(polled.status, 200);
      packets.push(...polled.body.split(RECORD_SEPARATOR).filter((p) => p !== "2"));
    }
    assert.match(packets[0], /^40\{"sid":"[^"]+"\}$/, "CONNECT reply with the socket id");
    assert.equal(packets[1], '42["auth",{"token":"raw"}]');
  });
});

describe("refusals", () => {
  for (const [what, query] of [
    ["a missing EIO", { transport: "polling" }],
    ['EIO "abc"', { EIO: "abc", transport: "polling" }],
    ['EIO "3"', { EIO: "3", transport: "polling" }],
    ['EIO "5"', { EIO: "5", transport: "polling" }],
  ]) {
    test(`${what} is refused: 400 "Unsupported protocol version"`, TEST, async () => {
      assert_refusal(await http_request(server, { query }), 400, UNSUPPORTED_VERSION, what);
    });
  }

  test('an unknown or missing transport is refused: 400 "Transport unknown"', TEST, async () => {
    assert_refusal(
      await http_request(server, { query: { EIO: "4", transport: "flash" } }),
      400,
      TRANSPORT_UNKNOWN,
      "transport flash",
    );
    assert_refusal(await http_request(server, { query: { EIO: "4" } }), 400, TRANSPORT_UNKNOWN, "no transport");
  });

  test('an unknown sid is refused: 400 "Session ID unknown"', TEST, async () => {
    const query = { EIO: "4", transport: "polling", sid: "no-such-session" };
    assert_refusal(await http_request(server, { query }), 400, SESSION_UNKNOWN, "GET with unknown sid");
    assert_refusal(
      await http_request(server, { method: "POST", query, body: "4hello" }),
      400,
      SESSION_UNKNOWN,
      "POST with unknown sid",
    );
  });

  test('a handshake that is not a GET is refused: 400 "Bad handshake method"', TEST, async () => {
    for (const method of ["POST", "PUT"]) {
      assert_refusal(
        await http_request(server, { method, query: { EIO: "4", transport: "polling" }, body: "40" }),
        400,
        BAD_HANDSHAKE_METHOD,
        `${method} handshake`,
      );
    }
  });

  test('a plain GET with transport=websocket is refused: 400 "Bad request"', TEST, async () => {
    assert_refusal(
      await http_request(server, { query: { EIO: "4", transport: "websocket" } }),
      400,
      BAD_REQUEST,
      "GET transport=websocket without upgrade",
    );
  });

  test("a websocket upgrade for an unknown sid is refused with 400", TEST, async () => {
    const result = await raw_websocket({ EIO: "4", transport: "websocket", sid: "no-such-session" });
    result.socket?.terminate();
    assert.equal(result.status, 400, `result: ${JSON.stringify({ ...result, socket: undefined })}`);
  });

  // The reference completes the websocket handshake before it checks EIO and
  // then writes a raw HTTP 400 into the stream and drops it; answering 400
  // before the upgrade is as good. Either way no session opens.
  for (const [what, query] of [
    ["a missing EIO", { transport: "websocket" }],
    ['EIO "3"', { EIO: "3", transport: "websocket" }],
  ]) {
    test(`a websocket connection with ${what} gets no session`, TEST, async () => {
      const result = await raw_websocket(query);
      result.socket?.terminate();
      assert.equal(result.first_message, undefined, `no open packet expected, got ${result.first_message}`);
      assert.ok(result.status === 400 || result.failed, `refused: ${JSON.stringify(result)}`);
    });
  }

  test("a second concurrent GET poll is refused with 400 and the session is closed", TEST, async () => {
    const { sid } = await polling_handshake(server);
    const query = { EIO: "4", transport: "polling", sid };
    const responses = await Promise.all([http_request(server, { query }), http_request(server, { query })]);
    const statuses = responses.map((r) => r.status).sort();
    assert.deepStrictEqual(statuses, [200, 400], "one poll is held, the overlapping one refused");
    const held = responses.find((r) => r.status === 200);
    assert.equal(held.body, "1", "the held poll is answered with a close packet");
    assert_refusal(await http_request(server, { query }), 400, SESSION_UNKNOWN, "poll after the overlap");
  });

  test("a POST over maxPayload is refused with 413; one at the limit is accepted", TEST, async () => {
    const { sid } = await polling_handshake(server);
    const query = { EIO: "4", transport: "polling", sid };
    // A CONNECT whose auth payload pads the body to exactly maxPayload bytes.
    const frame = '40{"pad":""}';
    const at_limit = `40{"pad":"${"a".repeat(MAX_PAYLOAD - frame.length)}"}`;
    assert.equal(Buffer.byteLength(at_limit), MAX_PAYLOAD);
    const accepted = await http_request(server, { method: "POST", query, body: at_limit });
    assert.equal(accepted.status, 200, "a body of exactly maxPayload bytes is accepted");
    assert.equal(accepted.body, "ok");

    const { sid: sid2 } = await polling_handshake(server);
    const over = `4${"b".repeat(MAX_PAYLOAD)}`;
    const refused = await http_request(server, {
      method: "POST",
      query: { EIO: "4", transport: "polling", sid: sid2 },
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: over,
    });
    assert.equal(refused.status, 413);
  });

  test("a session that does not answer pings is closed", TEST, async () => {
    const { sid, pingInterval, pingTimeout } = await polling_handshake(server);
    const query = { EIO: "4", transport: "polling", sid };
    const deadline = Date.now() + 10 * (pingInterval + pingTimeout);
    const seen = [];
    for (;;) {
      assert.ok(Date.now() < deadline, `session still open after ${10 * (pingInterval + pingTimeout)} ms: ${seen}`);
      const response = await http_request(server, { query });
      if (response.status === 400) {
        assert.deepStrictEqual(json_body(response), SESSION_UNKNOWN);
        break;
      }
      assert.equal(response.status, 200);
      seen.push(response.body);
    }
    assert.equal(seen[0], "2", "the server pinged first");
  });
});

describe("CORS", () => {
  const origin = "http://app.example.com";

  test("a preflight OPTIONS with Origin gets 204 and the allow-origin header", TEST, async () => {
    const response = await http_request(server, {
      method: "OPTIONS",
      query: { EIO: "4", transport: "polling" },
      headers: { origin, "access-control-request-method": "POST" },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers["access-control-allow-origin"], "*");
    const methods = (response.headers["access-control-allow-methods"] ?? "").split(",").map((m) => m.trim());
    assert.ok(methods.includes("GET") && methods.includes("POST"), `allow-methods: ${methods}`);
  });

  test("a handshake GET with Origin gets Access-Control-Allow-Origin", TEST, async () => {
    const response = await http_request(server, { query: { EIO: "4", transport: "polling" }, headers: { origin } });
    assert.equal(response.status, 200);
    assert.equal(response.headers["access-control-allow-origin"], "*");
  });

  test("polls, posts and refusals with Origin get Access-Control-Allow-Origin too", TEST, async () => {
    const { sid } = await polling_handshake(server);
    const query = { EIO: "4", transport: "polling", sid };
    const posted = await http_request(server, { method: "POST", query, headers: { origin }, body: "40" });
    assert.equal(posted.status, 200);
    assert.equal(posted.headers["access-control-allow-origin"], "*", "POST");
    const polled = await http_request(server, { query, headers: { origin } });
    assert.equal(polled.status, 200);
    assert.equal(polled.headers["access-control-allow-origin"], "*", "GET poll");
    const refused = await http_request(server, { query: { EIO: "3", transport: "polling" }, headers: { origin } });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers["access-control-allow-origin"], "*", "refusal");
  });
});
