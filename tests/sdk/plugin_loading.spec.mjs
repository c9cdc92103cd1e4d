// How the kernel loads plugins built against the SDK, with the fixtures of
// tests/sdk/fixtures: a plugin pinned to SDK 1.0 with a truncated host table still
// loads and serves a real socket.io-client; every refusal (missing file, another ABI,
// a failing or throwing on_load, no entry point, a bad config section) is logged with
// the plugin, its file and the reason, and either leaves the plugin out (optional) or
// stops start-up (required); an exception in a handler reaches only its own client.
//
//   SWITCHBOARD_BIN=build/switchboard SWITCHBOARD_TEST_PLUGINS=build/test-plugins \
//     node --test tests/sdk/plugin_loading.spec.mjs
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Clients, TRANSPORT_MODES, assert_same, is_binary, request, request_all, unique } from "../e2e/support/client.mjs";
import {
  TEST_PLUGINS,
  emit_with_ack,
  line_of,
  make_dir,
  remove_dir,
  scratch_dir,
  serve,
  serve_expecting_exit,
  write_deployment,
  write_lines,
  deployment_head,
} from "./support.mjs";

const TEST = { timeout: 20_000 };
// Plugins are found through canonical paths: compare with those.
const plugins_dir = realpathSync(TEST_PLUGINS);
const fixture_file = (name) => path.join(plugins_dir, `switchboard-${name}.so`);

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Each refusal: the plugin to enable, and what the log must say about it (after
// "<file>: " when the file was found).
const REFUSALS = [
  {
    name: "fixture-missing",
    why: "its file is on no search path",
    reason: () => new RegExp(`switchboard-fixture-missing\\.so not found; searched: ${escape(plugins_dir)}, `),
  },
  {
    name: "fixture-nowhere",
    file: "nowhere/switchboard-fixture-nowhere.so",
    why: "its explicit file does not exist",
    reason: (dir) => new RegExp(`file ${escape(path.join(dir, "nowhere/switchboard-fixture-nowhere.so"))} does not exist`),
  },
  {
    name: "fixture-abi-major2",
    why: "it declares ABI major 2",
    reason: () =>
      new RegExp(
        `${escape(fixture_file("fixture-abi-major2"))}: built for SDK ABI 2\\.0, but this kernel speaks ABI 1\\.\\d+: ` +
          `rebuild it against SDK 1\\.x`,
      ),
  },
  {
    name: "fixture-abi-minor99",
    why: "it needs ABI 1.99, newer than the kernel",
    reason: () =>
      new RegExp(`${escape(fixture_file("fixture-abi-minor99"))}: needs SDK ABI 1\\.99, newer than this kernel's 1\\.\\d+: upgrade the server`),
  },
  {
    name: "fixture-misnamed",
    why: "its descriptor names another plugin",
    reason: () => new RegExp(`${escape(fixture_file("fixture-misnamed"))}: it is plugin "someone-else", not "fixture-misnamed"`),
  },
  {
    name: "fixture-no-entry",
    why: "it exports no entry point",
    reason: () =>
      new RegExp(`${escape(fixture_file("fixture-no-entry"))}: not a Switchboard plugin: no switchboard_plugin_entry symbol`),
  },
  {
    name: "fixture-load-error",
    why: "its on_load answers an error",
    reason: () => new RegExp(`${escape(fixture_file("fixture-load-error"))}: its on_load returned status 6`),
  },
  {
    name: "fixture-load-throws",
    why: "its on_load throws",
    // The kernel contains the exception; the message says on_load failed.
    reason: () => new RegExp(`${escape(fixture_file("fixture-load-throws"))}: its on_load (threw|returned)`),
  },
];

function as_plugin(refusal, required) {
  return { name: refusal.name, required, ...(refusal.file ? { file: refusal.file } : {}) };
}

describe("a plugin built against SDK 1.0 with a truncated host table (fixture-legacy)", () => {
  let server;
  let dir;
  before(async () => {
    dir = make_dir();
    server = await serve(write_deployment(dir, [{ name: "fixture-legacy", required: true }]));
  });
  after(async () => {
    await server?.stop();
    remove_dir(dir);
  });

  test("loads, with the 1.0 descriptor (no on_reload) and its log line", TEST, () => {
    assert.match(server.output(), /\[plugins\] loaded fixture-legacy 1\.0\.0 from /);
    assert.match(server.output(), /\[fixture-legacy\] legacy plugin ready \(built for SDK 1\.0\)/);
  });

  for (const mode of TRANSPORT_MODES) {
    describe(`over ${mode.name}`, () => {
      test("its handler acks the client's arguments, binary included", TEST, async (t) => {
        const clients = new Clients(t, server);
        const client = await clients.connect(mode);
        const args = ["text", 42, { nested: [true, null] }, Buffer.from([0, 1, 2, 255])];
        const answer = await request_all(client, "legacy:echo", ...args);
        assert_same(answer, args);
        assert.ok(is_binary(answer[3]), "the attachment came back as binary");
      });

      test("its host_emit reaches the socket, then its ack", TEST, async (t) => {
        const clients = new Clients(t, server);
        const client = await clients.connect(mode);
        const token = unique("legacy");
        assert.equal(await request(client, "legacy:emit", token, { n: 1 }), true);
        assert.deepStrictEqual(await client.inbox.next("legacy:emitted"), [token, { n: 1 }]);
      });

      test("its config section comes with the schema's default, and the table says ABI 1.x", TEST, async (t) => {
        const clients = new Clients(t, server);
        const client = await clients.connect(mode, { nsp: "/custom" });
        const [config, abi] = await request_all(client, "legacy:config");
        assert.deepStrictEqual(config, { suffix: "!" });
        assert.match(abi, /^1\.\d+$/);
      });
    });
  }
});

describe("optional plugins that cannot load are left out, and the server serves", () => {
  let server;
  let dir;
  before(async () => {
    dir = make_dir();
    const plugins = REFUSALS.map((r) => as_plugin(r, false));
    plugins.push({ name: "fixture-legacy", required: true });
    server = await serve(write_deployment(dir, plugins));
  });
  after(async () => {
    await server?.stop();
    remove_dir(dir);
  });

  for (const refusal of REFUSALS) {
    test(`${refusal.name}: left out, logged with its name, file and reason (${refusal.why})`, TEST, () => {
      const line = new RegExp(`ERROR \\[plugins\\] plugin ${escape(refusal.name)} left out: ` + refusal.reason(dir).source);
      assert.match(server.output(), line);
    });
  }

  test("fixture-load-error's own log line says why", TEST, () => {
    assert.match(server.output(), /\[fixture-load-error\] cannot start: the upstream service is unreachable/);
  });

  test("the plugin loaded beside them works", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    assert.deepStrictEqual(await request_all(client, "legacy:echo", "still", "serving"), ["still", "serving"]);
  });

  test("what a refused on_load registered is gone (its library is unloaded)", TEST, async (t) => {
    const clients = new Clients(t, server);
    const client = await clients.connect(TRANSPORT_MODES[0]);
    // A handler left behind would jump into the unloaded library: no answer is the pass.
    const result = await emit_with_ack(client.socket, "fixture:leftover", ["anyone?"], 500);
    assert.ok(result.error, `"fixture:leftover" was answered: ${JSON.stringify(result.args)}`);
    assert.equal(client.socket.connected, true);
    assert.deepStrictEqual(await request_all(client, "legacy:echo", "alive"), ["alive"]);
  });
});

describe("a required plugin that cannot load stops the start-up", () => {
  for (const refusal of REFUSALS) {
    test(`${refusal.name} (${refusal.why}): exit code 1, the reason on stderr`, TEST, async (t) => {
      const dir = scratch_dir(t);
      const result = await serve_expecting_exit(write_deployment(dir, [as_plugin(refusal, true)]));
      assert.equal(result.code, 1, result.output);
      assert.match(
        result.output,
        new RegExp(`required plugin ${escape(refusal.name)} failed to load: ` + refusal.reason(dir).source),
      );
      assert.doesNotMatch(result.output, /listening on/);
    });
  }
});

describe("a plugin's config section is checked against its schema", () => {
  // Block style, so every key has its own line.
  function config_lines(dir, config_lines, { required = true } = {}) {
    return [
      ...deployment_head(dir),
      "plugins:",
      "  - name: fixture-config",
      `    required: ${required}`,
      ...(config_lines.length ? ["    config:", ...config_lines.map((l) => `      ${l}`)] : []),
    ];
  }

  test("a valid section reaches the plugin, completed with the defaults", TEST, async (t) => {
    const dir = scratch_dir(t);
    const server = await serve(write_lines(dir, config_lines(dir, ["endpoint: http://upstream.test"])));
    const clients = new Clients(t, server);
    t.after(() => server.stop());
    const client = await clients.connect(TRANSPORT_MODES[0]);
    assert.deepStrictEqual(await request(client, "config:get"), {
      endpoint: "http://upstream.test",
      mode: "fast",
      retries: 3,
      tags: [],
    });
  });

  test("a missing required key stops the start-up at the plugin's line", TEST, async (t) => {
    const dir = scratch_dir(t);
    const lines = config_lines(dir, ["retries: 5"]);
    const file = write_lines(dir, lines);
    const result = await serve_expecting_exit(file);
    assert.equal(result.code, 1, result.output);
    assert.match(
      result.output,
      new RegExp(
        `${escape(file)}:${line_of(lines, "- name: fixture-config")}:\\d+: ` +
          `plugins\\.fixture-config\\.config: missing required key "endpoint" \\(the upstream URL\\)`,
      ),
    );
  });

  test("a missing required key stops the start-up even for an optional plugin", TEST, async (t) => {
    const dir = scratch_dir(t);
    const lines = config_lines(dir, [], { required: false });
    const file = write_lines(dir, lines);
    const result = await serve_expecting_exit(file);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, new RegExp(`${escape(file)}:${line_of(lines, "- name: fixture-config")}:\\d+: .*missing required key "endpoint"`));
  });

  test("an unknown key is named, at its own line, with the keys the plugin accepts", TEST, async (t) => {
    const dir = scratch_dir(t);
    const lines = config_lines(dir, ["endpoint: http://upstream.test", "colour: blue"]);
    const file = write_lines(dir, lines);
    const result = await serve_expecting_exit(file);
    assert.equal(result.code, 1, result.output);
    assert.match(
      result.output,
      new RegExp(
        `${escape(file)}:${line_of(lines, "colour: blue")}:\\d+: ` +
          `plugins\\.fixture-config\\.config\\.colour: unknown key; plugin fixture-config accepts: endpoint, mode, retries, tags`,
      ),
    );
  });

  test("a value of the wrong type is named, at its own line", TEST, async (t) => {
    const dir = scratch_dir(t);
    const lines = config_lines(dir, ["endpoint: http://upstream.test", "retries: three"]);
    const file = write_lines(dir, lines);
    const result = await serve_expecting_exit(file);
    assert.equal(result.code, 1, result.output);
    assert.match(
      result.output,
      new RegExp(`${escape(file)}:${line_of(lines, "retries: three")}:\\d+: plugins\\.fixture-config\\.config\\.retries: expected an integer, got "three"`),
    );
  });
});

// SDK 1.1: min, max, enum, pattern and items, checked by the kernel at the value's line.
describe("a config value outside its schema's bounds stops start-up at its line", () => {
  const CASES = [
    { line: "retries: 11", message: "plugins\\.fixture-config\\.config\\.retries: 11 is above the maximum of 10" },
    { line: "retries: -1", message: "plugins\\.fixture-config\\.config\\.retries: -1 is below the minimum of 0" },
    { line: "mode: quick", message: 'plugins\\.fixture-config\\.config\\.mode: "quick" is not one of \\["fast","safe"\\]' },
    { line: "tags: [a, b, c, d]", message: "plugins\\.fixture-config\\.config\\.tags: .* is above the maximum of 3 items" },
    {
      line: "tags: [ok, NOT-OK]",
      message: 'plugins\\.fixture-config\\.config\\.tags\\[1\\]: "NOT-OK" does not match the pattern \\[a-z\\]\\+',
    },
    { line: "tags: [ok, 7]", message: "plugins\\.fixture-config\\.config\\.tags\\[1\\]: expected a string, got 7" },
  ];
  for (const { line, message } of CASES) {
    test(`${line}: refused at its line`, TEST, async (t) => {
      const dir = scratch_dir(t);
      const lines = [
        ...deployment_head(dir),
        "plugins:",
        "  - name: fixture-config",
        "    required: true",
        "    config:",
        "      endpoint: http://upstream.test",
        `      ${line}`,
      ];
      const file = write_lines(dir, lines);
      const result = await serve_expecting_exit(file);
      assert.equal(result.code, 1, result.output);
      assert.match(result.output, new RegExp(`${escape(file)}:${line_of(lines, line)}:\\d+: ${message}`));
    });
  }
});

describe("an exception in a handler reaches only the emitting client (fixture-throws)", () => {
  let server;
  let dir;
  before(async () => {
    dir = make_dir();
    server = await serve(write_deployment(dir, [{ name: "fixture-throws", required: true }]));
  });
  after(async () => {
    await server?.stop();
    remove_dir(dir);
  });

  // Sends a namespace-wide fence through the plugin and waits until both clients have
  // it: anything sent to them before it has arrived by then.
  async function fence(sender, clients) {
    const token = unique("fence");
    assert.equal(await request(sender, "boom:fence", token), true);
    await Promise.all(clients.map((c) => c.inbox.next("fence", { where: (args) => args[0] === token })));
  }

  const CASES = [
    { event: "boom:throw", answer: { code: "internal_error", message: "the handler failed" }, log: "boom \\(pooled\\)" },
    { event: "boom:throw-inline", answer: { code: "internal_error", message: "the handler failed" }, log: "boom \\(inline\\)" },
    { event: "boom:throw-int", answer: { code: "internal_error", message: "the handler failed" }, log: "an unknown exception" },
    { event: "boom:refuse", answer: { code: "bad_input", message: "no, thanks" } },
  ];

  for (const mode of TRANSPORT_MODES) {
    describe(`over ${mode.name}`, () => {
      for (const c of CASES) {
        test(`"${c.event}": an error ack for the sender; the bystander sees nothing; both keep working`, TEST, async (t) => {
          const clients = new Clients(t, server);
          const sender = await clients.connect(mode, { label: "sender" });
          const bystander = await clients.connect(mode, { label: "bystander" });
          assert.deepStrictEqual(await request_all(sender, c.event, "payload"), [c.answer]);
          await fence(sender, [sender, bystander]);
          assert.deepStrictEqual(
            bystander.inbox.entries.map((e) => e.event),
            ["fence"],
            "the bystander received only the fence",
          );
          assert.deepStrictEqual(
            sender.inbox.entries.map((e) => e.event),
            ["fence"],
            "the sender received nothing but its ack and the fence",
          );
          assert.equal(sender.socket.connected, true);
          assert.equal(bystander.socket.connected, true);
          assert.equal(await request(sender, "boom:ping"), "pong");
          assert.equal(await request(bystander, "boom:ping"), "pong");
          if (c.log) assert.match(server.output(), new RegExp(`ERROR \\[fixture-throws\\] event handler threw: ${c.log}`));
        });
      }

      test("a throw with no ack to answer is only logged", TEST, async (t) => {
        const clients = new Clients(t, server);
        const sender = await clients.connect(mode, { label: "sender" });
        sender.socket.emit("boom:throw", "no ack");
        assert.equal(await request(sender, "boom:ping"), "pong");
        assert.equal(sender.socket.connected, true);
      });
    });
  }
});
