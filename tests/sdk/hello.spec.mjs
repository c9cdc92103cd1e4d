// examples/hello-plugin, built out of tree against the INSTALLED SDK and loaded by the
// installed server from <prefix>/lib/switchboard/plugins, exercised by the real
// socket.io-client. tests/sdk/install_test.sh builds, installs and starts it, then runs
// this file with SWITCHBOARD_URL set; on its own this file has nothing to test.
import assert from "node:assert/strict";
import http from "node:http";
import { describe, test } from "node:test";

import { Clients, TRANSPORT_MODES, once, request, request_all, unique } from "../e2e/support/client.mjs";

const url = process.env.SWITCHBOARD_URL;
const greeting = process.env.HELLO_GREETING ?? "Hello";
const server = { url };
const TEST = { timeout: 15_000, skip: url ? false : "SWITCHBOARD_URL is not set: run tests/sdk/install_test.sh" };

function get(path) {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}${path}`, { agent: false }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body }));
      })
      .on("error", reject);
  });
}

async function greetings_counter() {
  const response = await get("/metrics");
  assert.equal(response.status, 200);
  const found = response.body.match(/^switchboard_plugin_hello_greetings (\d+)$/m);
  return found ? Number(found[1]) : 0;
}

// One ack round trip per client: a server keeps the order of packets to a socket,
// so anything the event under test sent a client has arrived once this returns.
async function settle(clients) {
  for (const c of clients) assert.equal(await request(c, "hello:greet", "fence"), `${greeting}, fence!`);
}

for (const mode of TRANSPORT_MODES) {
  describe(`hello over ${mode.name}`, () => {
    test('"hello:greet" acks the configured greeting', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      assert.equal(await request(client, "hello:greet", "Ada"), `${greeting}, Ada!`);
      assert.equal(await request(client, "hello:greet", "Zoë 🚀"), `${greeting}, Zoë 🚀!`);
    });

    test('"hello:greet" without a name answers {code: "invalid_payload"}', TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = await clients.connect(mode);
      const [answer] = await request_all(client, "hello:greet");
      assert.equal(answer.code, "invalid_payload");
      assert.equal(typeof answer.message, "string");
    });

    test("the connect hook refuses {banned: true} with code forbidden", TEST, async (t) => {
      const clients = new Clients(t, server);
      const client = clients.create(mode, { auth: { banned: true } });
      const refused = once(client.socket, "connect_error", { what: "connect_error for a banned client", fail_on: ["connect"] });
      client.socket.connect();
      const [error] = await refused;
      assert.equal(error.message, "banned clients may not connect");
      assert.deepStrictEqual(error.data, { code: "forbidden" });
      assert.equal(client.socket.connected, false);
      // Anyone else still gets in.
      const welcome = await clients.connect(mode, { auth: { banned: false } });
      assert.equal(await request(welcome, "hello:greet", "Grace"), `${greeting}, Grace!`);
    });

    test('"hello:boom" throws: its client gets an error ack, another client sees nothing', TEST, async (t) => {
      const clients = new Clients(t, server);
      const thrower = await clients.connect(mode, { label: "thrower" });
      const bystander = await clients.connect(mode, { label: "bystander" });
      assert.deepStrictEqual(await request_all(thrower, "hello:boom", unique("boom")), [
        { code: "internal_error", message: "the handler failed" },
      ]);
      await settle([thrower, bystander]);
      assert.deepStrictEqual(bystander.inbox.entries, [], "the bystander received no event");
      assert.deepStrictEqual(thrower.inbox.entries, [], "the thrower received no event besides its ack");
      assert.equal(thrower.socket.connected, true);
      assert.equal(bystander.socket.connected, true);
      assert.equal(await request(thrower, "hello:greet", "again"), `${greeting}, again!`);
    });
  });
}

describe("hello over HTTP", () => {
  test("greetings are counted on /metrics", TEST, async (t) => {
    const before = await greetings_counter();
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    await request(client, "hello:greet", "one");
    await request(client, "hello:greet", "two");
    await request_all(client, "hello:greet"); // refused: not counted
    assert.equal(await greetings_counter(), before + 2);
  });

  test("GET /hello answers JSON with the greeting and the count", TEST, async () => {
    const response = await get("/hello");
    assert.equal(response.status, 200);
    assert.match(response.headers["content-type"], /^application\/json/);
    const body = JSON.parse(response.body);
    assert.equal(body.greeting, greeting);
    assert.equal(body.greeted, await greetings_counter());
  });
});
