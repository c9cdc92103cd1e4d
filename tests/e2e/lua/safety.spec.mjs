// A script that fails, loops forever, eats memory or reaches for the system fails
// its own run only: an error ack to its client, a log line with the script's file and
// line, and every other client keeps being served.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, request, request_all, unique } from "../support/client.mjs";
import { log_line, start_lua } from "./support.mjs";

const WS = { name: "websocket", options: { transports: ["websocket"] } };

const BAD = String.raw`
local sb = require("switchboard")

sb.on("echo", function(ctx, ...) return ... end)
sb.on("echo-inline", function(ctx, ...) return ... end, { inline = true })

sb.on("runtime-error", function(ctx)
  local settings = nil
  return settings.missing            -- RUNTIME ERROR
end)

sb.on("endless", function(ctx)
  while true do end                  -- ENDLESS
end)

sb.on("endless-inline", function(ctx)
  local n = 0
  while true do n = n + 1 end        -- ENDLESS INLINE
end, { inline = true })

sb.on("endless-pcall", function(ctx)
  while true do
    pcall(function() while true do end end)
  end
end)

-- The message handler runs inside lua_error, where Lua turns hooks off when the error
-- is the count hook's: it must not become a way around the limit (issue #10, item 6).
sb.on("endless-xpcall", function(ctx)
  local function loop() while true do end end
  return xpcall(loop, loop)
end)

sb.on("endless-xpcall-inline", function(ctx)
  local function loop() while true do end end
  return xpcall(loop, loop)
end, { inline = true })

sb.on("xpcall-handler", function(ctx)
  -- A script's own error still goes through its handler.
  return xpcall(function() error("boom") end, function(e) return "handled: " .. tostring(e):gsub("^.-: ", "") end)
end)

sb.on("pattern-bomb", function(ctx, inline)
  return string.find(("a"):rep(1000), ".-.-.-b")   -- SLOW PATTERN
end)

sb.on("pattern-bomb-inline", function(ctx)
  return (("a"):rep(1000)):gsub(".-.-.-b", "x")
end, { inline = true })

sb.on("pattern-ok", function(ctx)
  local words = {}
  for w in ("one two three"):gmatch("%a+") do words[#words + 1] = w end
  return ("key = value"):match("^(%w+)%s*=%s*(.-)%s*$"), table.concat(words, ","), (("a.b"):gsub("%.", "/"))
end)

sb.on("endless-coroutine", function(ctx)
  local co = coroutine.create(function() while true do end end)
  local ok, err = coroutine.resume(co)
  return "survived", ok, tostring(err)
end)

local hoard = {}
sb.on("memory-bomb", function(ctx, keep)
  local t = keep and hoard or {}
  local i = 0
  while true do
    i = i + 1
    t[i] = string.rep("x", 4096) .. i  -- BOMB
  end
end)

sb.on("memory-used", function(ctx) return collectgarbage("count") end)

sb.on("yield", function(ctx) coroutine.yield() end)

sb.on("try", function(ctx, what)
  if what == "os.execute" then return os.execute("touch /tmp/switchboard-lua-pwned")
  elseif what == "os.exit" then return os.exit(1)
  elseif what == "os.getenv" then return os.getenv("HOME")
  elseif what == "os.remove" then return os.remove("/tmp/x")
  elseif what == "io.open" then return io.open("/etc/passwd")
  elseif what == "io.popen" then return io.popen("id")
  elseif what == "dofile" then return dofile("/etc/passwd")
  elseif what == "loadfile" then return loadfile("/etc/passwd")
  elseif what == "require-native" then return require("socket.core")
  elseif what == "require-path" then return require("../../etc/passwd")
  elseif what == "package.loadlib" then return package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "system")
  elseif what == "load-binary" then
    local chunk, problem = load("\27Lua\84\0\25\147\13\10\26\10\4\8\8")
    return chunk == nil, problem
  elseif what == "load-text" then return load("return 1 + 1")()
  elseif what == "string.dump" then return string.dump(function() end)
  elseif what == "debug.sethook" then return debug.sethook()
  elseif what == "debug.getregistry" then return debug.getregistry()
  elseif what == "collectgarbage-stop" then return collectgarbage("stop")
  elseif what == "__gc" then return setmetatable({}, { __gc = function() end })
  elseif what == "global" then leaked = true; return leaked
  elseif what == "os.time" then return type(os.time()), type(os.clock()), type(os.date("%Y"))
  end
end)

sb.on_connect(function(ctx)
  if ctx.auth.loop then while true do end end
end)

sb.timer(10, function() error("a timer that fails") end)  -- TIMER
`;

// The line of BAD holding `marker`: what the log must name.
function line_of(marker) {
  const index = BAD.split("\n").findIndex((line) => line.includes(marker));
  assert.ok(index >= 0, marker);
  return index + 1;
}

let d;
before(async () => {
  d = await start_lua({
    scripts: { "bad.lua": BAD },
    config: { instruction_limit: 2_000_000, memory_limit: 8 * 1024 * 1024 },
    namespaces: [{ name: "/", anonymous: true }],
    log_level: "info",
  });
});
after(async () => {
  await d?.stop();
});

async function client(t, options = {}) {
  const clients = t.clients ?? (t.clients = new Clients(t, d));
  return clients.connect(WS, options);
}

// A client echoing steadily while `work` runs: every echo must come back.
async function while_serving(t, work) {
  const bystander = await client(t);
  let running = true;
  let answered = 0;
  const echoing = (async () => {
    while (running) {
      const n = answered;
      assert.deepEqual(await request_all(bystander, n % 2 ? "echo" : "echo-inline", n), [n]);
      answered += 1;
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await echoing;
  }
  assert.ok(answered > 0, "the bystander was answered while the bad script ran");
  return answered;
}

describe("a failing run fails alone", () => {
  test("a runtime error: an error ack without file names, the file and line in the log", async (t) => {
    const c = await client(t);
    await while_serving(t, async () => {
      assert.deepEqual(await request(c, "runtime-error"), {
        code: "script_error",
        message: "attempt to index a nil value (local 'settings')",
      });
    });
    await log_line(d, new RegExp(`ERROR .*event "runtime-error" .*failed: \\S*bad\\.lua:${line_of("RUNTIME ERROR")}: attempt to index a nil`));
    assert.deepEqual(await request_all(c, "echo", "still here"), ["still here"]);
  });

  test("an endless loop is stopped at its instruction limit", async (t) => {
    const c = await client(t);
    await while_serving(t, async () => {
      for (const event of ["endless", "endless-inline", "endless-pcall"]) {
        const answer = await request(c, event);
        assert.equal(answer.code, "instruction_limit", event);
        assert.match(answer.message, /instruction limit \(2000000 instructions\)/);
      }
    });
    await log_line(d, new RegExp(`event "endless" .*stopped: instruction limit \\(2000000\\) reached at \\S*bad\\.lua:${line_of("ENDLESS")}`));
    await log_line(d, new RegExp(`event "endless-inline" .*stopped: instruction limit \\(2000000\\) reached at \\S*bad\\.lua:${line_of("ENDLESS INLINE")}`));
    assert.deepEqual(await request_all(c, "echo-inline", 1), [1]);
  });

  test("xpcall(loop, loop) is stopped too, pooled and inline (#10)", async (t) => {
    const c = await client(t);
    await while_serving(t, async () => {
      for (const event of ["endless-xpcall", "endless-xpcall-inline"]) {
        const answer = await request(c, event);
        assert.equal(answer?.code, "instruction_limit", `${event}: ${JSON.stringify(answer)}`);
      }
    });
    assert.deepEqual(await request_all(c, "xpcall-handler"), [false, "handled: boom"]);
  });

  test("a pathological pattern is stopped by the instruction limit, pooled and inline (#10)", async (t) => {
    const c = await client(t);
    await while_serving(t, async () => {
      for (const event of ["pattern-bomb", "pattern-bomb-inline"]) {
        const answer = await request(c, event);
        assert.equal(answer?.code, "instruction_limit", `${event}: ${JSON.stringify(answer)}`);
      }
    });
    await log_line(d, new RegExp(`event "pattern-bomb" .*stopped: instruction limit \\(2000000\\) reached at \\S*bad\\.lua:${line_of("SLOW PATTERN")}`));
    assert.deepEqual(await request_all(c, "pattern-ok"), ["key", "one,two,three", "a/b"]);
  });

  test("a loop in a coroutine the script made counts against the same budget", async (t) => {
    const c = await client(t);
    assert.equal((await request(c, "endless-coroutine")).code, "instruction_limit");
  });

  test("a memory bomb is stopped at the state's memory limit", async (t) => {
    const c = await client(t);
    await while_serving(t, async () => {
      const answer = await request(c, "memory-bomb", false);
      assert.equal(answer.code, "memory_limit");
      assert.match(answer.message, /out of memory \(limit 8388608 bytes\)/);
    });
    await log_line(d, new RegExp(`event "memory-bomb" .*stopped: memory limit \\(8388608 bytes\\) reached at \\S*bad\\.lua:${line_of("BOMB")}`));
    // The garbage was collected: the state serves on.
    assert.ok((await request(c, "memory-used")) < 4096, "the state's memory came back (KiB)");
  });

  test("a bomb that keeps its memory gets its state replaced", async (t) => {
    const c = await client(t);
    await while_serving(t, async () => {
      assert.equal((await request(c, "memory-bomb", true)).code, "memory_limit");
    });
    await log_line(d, /WARN .*a Lua state still holds \d+ of its 8388608 bytes .* replaced by a fresh one/);
    // Whatever state serves next has its memory free.
    for (let i = 0; i < 10; i += 1) assert.ok((await request(c, "memory-used")) < 4096);
  });

  test("coroutine.yield in a handler is an error, not a hang", async (t) => {
    const c = await client(t);
    const answer = await request(c, "yield");
    assert.equal(answer.code, "script_error");
    assert.match(answer.message, /coroutine\.yield\(\) outside a coroutine the script created/);
  });

  test("a runaway on_connect refuses that connection only", async (t) => {
    const clients = new Clients(t, d);
    const bad = clients.create(WS, { auth: { loop: true } });
    const refused = new Promise((resolve) => bad.socket.once("connect_error", resolve));
    bad.socket.connect();
    const error = await refused;
    assert.equal(error.data.code, "instruction_limit");
    const good = await client(t);
    assert.deepEqual(await request_all(good, "echo", 1), [1]);
  });

  test("a failing timer is logged with its file and line", async () => {
    await log_line(d, new RegExp(`ERROR .*timer \\(\\S*bad\\.lua:${line_of("TIMER")}\\) failed: \\S*bad\\.lua:${line_of("TIMER")}: a timer that fails`));
  });
});

describe("the sandbox", () => {
  const refused = {
    "os.execute": /os\.execute is not available to Switchboard scripts \(sandbox\)/,
    "os.exit": /os\.exit is not available/,
    "os.getenv": /os\.getenv is not available/,
    "os.remove": /os\.remove is not available/,
    "io.open": /io\.open is not available to Switchboard scripts: scripts have no file access/,
    "io.popen": /io\.popen is not available/,
    dofile: /dofile is not available/,
    loadfile: /loadfile is not available/,
    "require-native": /module 'socket\.core' not found \(scripts may require Lua files only, never native modules\)/,
    "require-path": /a module name is made of letters, digits/,
    "package.loadlib": /package\.loadlib is not available/,
    "string.dump": /string\.dump is not available/,
    "debug.sethook": /debug\.sethook is not available to Switchboard scripts: only debug\.traceback is/,
    "debug.getregistry": /debug\.getregistry is not available/,
    "collectgarbage-stop": /collectgarbage\("stop"\) is not available/,
    __gc: /__gc metamethods are not available/,
    global: /assignment to undeclared global 'leaked'/,
  };
  for (const [what, message] of Object.entries(refused)) {
    test(`${what} fails with a clear message`, async (t) => {
      const c = await client(t);
      const answer = await request(c, "try", what);
      assert.equal(answer?.code, "script_error", JSON.stringify(answer));
      assert.match(answer.message, message);
    });
  }

  test("load takes text, never bytecode", async (t) => {
    const c = await client(t);
    const [refused_binary, problem] = await request_all(c, "try", "load-binary");
    assert.equal(refused_binary, true);
    assert.match(problem, /attempt to load a binary chunk/);
    assert.equal(await request(c, "try", "load-text"), 2);
  });

  test("the harmless parts of os stay", async (t) => {
    const c = await client(t);
    assert.deepEqual(await request_all(c, "try", "os.time"), ["number", "number", "string"]);
  });
});

describe("scripts that fail at start-up", () => {
  test("a syntax error stops the start with the file, the line and what is wrong", async () => {
    await assert.rejects(
      start_lua({
        scripts: { "good.lua": "require('switchboard').on('x', function() end)\n", "broken.lua": "local x = \n\n)\n" },
        namespaces: [{ name: "/", anonymous: true }],
      }),
      (error) => {
        assert.match(error.message, /broken\.lua:3: unexpected symbol near '\)'/);
        assert.match(error.message, /required plugin lua failed to load/);
        return true;
      },
    );
  });

  test("an endless loop at a script's top level stops the start", async () => {
    await assert.rejects(
      start_lua({
        scripts: { "spin.lua": "local n = 0\nwhile true do n = n + 1 end\n" },
        config: { instruction_limit: 100000 },
        namespaces: [{ name: "/", anonymous: true }],
      }),
      /spin\.lua:2: instruction limit \(100000\) reached while the script loaded/,
    );
  });

  test("a missing script file is named", async () => {
    await assert.rejects(
      start_lua({ load: ["nowhere.lua"], namespaces: [{ name: "/", anonymous: true }] }),
      /config\.scripts\[0\]: \S*nowhere\.lua is not a readable file/,
    );
  });

  test("an invalid limit is named", async () => {
    await assert.rejects(
      start_lua({
        scripts: { "ok.lua": "-- nothing\n" },
        config: { memory_limit: 1000 },
        namespaces: [{ name: "/", anonymous: true }],
      }),
      /config\.memory_limit: at least 1048576 bytes \(got 1000\)/,
    );
  });

  test("handlers may only be declared at load", async () => {
    const d2 = await start_lua({
      scripts: {
        "late.lua": "local sb = require('switchboard')\nsb.on('late', function() sb.on('x', function() end) end)\n",
      },
      namespaces: [{ name: "/", anonymous: true }],
    });
    t_after(d2);
    const clients = new Clients({ after: () => {} }, d2);
    const c = await clients.connect(WS);
    const answer = await request(c, "late");
    assert.match(answer.message, /switchboard\.on can only be called while the script loads/);
    clients.close_all();
  });
});

let extra_deployments = [];
function t_after(deployment) {
  extra_deployments.push(deployment);
}
after(async () => {
  await Promise.all(extra_deployments.map((x) => x.stop()));
});
