// Starts the server under test for one test file and stops it afterwards.
//
// The command comes from SWITCHBOARD_E2E_SERVER (a shell command line, e.g.
// "build/kernel/switchboard serve --config tests/e2e/switchboard.yaml"); when
// it is unset, the Node reference server runs instead, because the reference is
// the definition of correct. " --port N" is appended, N found by binding port 0.

import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const reference_script = path.join(here, "..", "reference", "server.js");

export const HOST = "127.0.0.1";
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

function quote(arg) {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function server_command() {
  const from_env = process.env.SWITCHBOARD_E2E_SERVER;
  if (from_env && from_env.trim() !== "") return from_env;
  return `${quote(process.execPath)} ${quote(reference_script)}`;
}

// A loopback port nothing listens on right now, and that no other test process on
// this machine was handed: ctest runs suites side by side, and two processes asking
// the kernel for a free port before either server binds it can get the same one.
// The servers listen with SO_REUSEPORT, so both would start and split the
// connections between them (a test would talk to the other suite's server). A
// lock file per port handed out, removed when this process exits, rules that out.
export async function free_port() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await unbound_port();
    if (reserve(port)) return port;
  }
  throw new Error("no free loopback port that another test process does not hold");
}

function unbound_port() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const PORT_LOCKS = path.join(os.tmpdir(), "switchboard-test-ports");
const held_ports = new Set();
process.once("exit", () => held_ports.forEach((file) => rmSync(file, { force: true })));

function reserve(port) {
  mkdirSync(PORT_LOCKS, { recursive: true });
  const file = path.join(PORT_LOCKS, String(port));
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      held_ports.add(file);
      return true;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A lock left by a process that is gone (killed before its exit hook) is taken over.
      if (process_alive(Number(readFileSync(file, "utf8")))) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function process_alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

function port_accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Returns { url, port, command, stop() }. `url` has no trailing slash.
// options.command: the server's command line instead of SWITCHBOARD_E2E_SERVER's.
// options.stop_grace_ms: how long stop() waits after SIGTERM before SIGKILL; a test of
// the shutdown itself gives more than the server's shutdown timeout, so that the kill
// never decides its outcome.
export async function start_server(options = {}) {
  const stop_grace_ms = options.stop_grace_ms ?? STOP_GRACE_MS;
  const port = await free_port();
  const command = `${options.command ?? server_command()} --port ${port}`;
  // detached: the shell and the server form their own process group, so one
  // signal to the group reaches the server even when the shell did not exec it.
  const child = spawn(command, {
    shell: true,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 20_000) output = output.slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);

  let exited = null;
  const exit_promise = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      throw new Error(
        `server exited before accepting connections (code ${exited.code}, signal ${exited.signal})\n` +
          `command: ${command}\noutput:\n${output}`,
      );
    }
    if (await port_accepts(port)) break;
    if (Date.now() > deadline) {
      kill_group(child, "SIGKILL");
      throw new Error(
        `server did not accept connections on ${HOST}:${port} within ${START_TIMEOUT_MS} ms\n` +
          `command: ${command}\noutput:\n${output}`,
      );
    }
    await delay(50);
  }

  // The child is the shell (Debian's sh does not exec the last command): its exit says
  // nothing about the server, which drains on SIGTERM while the shell is already gone.
  // Stopped means every process of the group has gone; the kill timer still bounds it.
  async function stop() {
    if (group_alive(child.pid)) kill_group(child, "SIGTERM");
    const timer = setTimeout(() => kill_group(child, "SIGKILL"), stop_grace_ms);
    const result = await exit_promise;
    await group_gone(child.pid, stop_grace_ms + 5_000);
    clearTimeout(timer);
    return result;
  }

  return {
    url: `http://${HOST}:${port}`,
    port,
    command,
    // The shell's pid: the server's own when the command starts with `exec`.
    pid: child.pid,
    stop,
    // Sends `signal` to the server's process group (SIGKILL: a crash, nothing cleaned
    // up); resolves with how it exited.
    async kill(signal) {
      if (group_alive(child.pid)) kill_group(child, signal);
      const result = await exit_promise;
      await group_gone(child.pid, 30_000);
      return result;
    },
    output: () => output,
  };
}

// Whether a process of group `pgid` still runs (a zombie has finished: its parent, or
// whoever inherited it, has not reaped it yet).
function group_alive(pgid) {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;   // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") return true;
  }
  return false;
}

async function group_gone(pgid, ms) {
  const deadline = Date.now() + ms;
  while (group_alive(pgid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still runs ${ms} ms after it was told to stop`);
    await delay(20);
  }
}

function kill_group(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
