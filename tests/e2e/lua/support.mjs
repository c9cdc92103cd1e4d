// Deployments of the Lua runtime for the specs in this folder: scripts written to a
// directory of their own (so a test can change them and reload), the real binary
// started by support/deployment.mjs, and `switchboard reload` through the pid file.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { until } from "../support/client.mjs";
import { SWITCHBOARD_BIN, start_deployment } from "../support/deployment.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.join(here, "fixtures");

// options.scripts: {file name: Lua source}; options.fixtures: fixture file names to
// copy (also loaded, in order, before `scripts`); options.load: the files to list in
// the config, relative to the scripts' directory (default: every script and fixture,
// fixtures first, util.lua aside: it is a module); options.config:
// more keys for the plugin's config; options.migrations: the migration components the
// scripts need (the plugin entry's `migrations`); the rest goes to start_deployment.
export async function start_lua(options = {}) {
  const { scripts = {}, fixtures = [], load, config = {}, extra = {}, migrations, ...rest } = options;
  const scripts_dir = mkdtempSync(path.join(tmpdir(), "switchboard-lua-scripts-"));
  for (const name of fixtures) copyFileSync(path.join(FIXTURES, name), path.join(scripts_dir, name));
  for (const [name, source] of Object.entries(scripts)) writeFileSync(path.join(scripts_dir, name), source);
  const listed = (load ?? [...fixtures.filter((f) => f !== "util.lua"), ...Object.keys(scripts)]).map((name) =>
    path.resolve(scripts_dir, name),
  );
  const pid_file = path.join(scripts_dir, "switchboard.pid");
  let deployment;
  try {
    deployment = await start_deployment({
      ...rest,
      plugins: [{ name: "lua", ...(migrations ? { migrations } : {}), config: { scripts: listed, ...config } }],
      extra: { server: { host: "127.0.0.1", shutdown_timeout: "2s", pid_file }, ...extra },
    });
  } catch (error) {
    rmSync(scripts_dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...deployment,
    scripts_dir,
    pid_file,
    write(name, source) {
      writeFileSync(path.join(scripts_dir, name), source);
    },
    pid() {
      return Number(readFileSync(pid_file, "utf8").trim());
    },
    // `switchboard reload`, then waits until the log says the reload happened or was
    // refused (needs log_level "info"). Resolves with the line.
    async reload({ signal = false } = {}) {
      const seen = count_reload_lines(deployment.output());
      if (signal) {
        process.kill(this.pid(), "SIGHUP");
      } else {
        await new Promise((resolve, reject) =>
          execFile(SWITCHBOARD_BIN, ["reload", "--config", deployment.config_file], (error, stdout, stderr) =>
            error ? reject(new Error(`switchboard reload failed: ${error.message}\n${stderr}`)) : resolve(stdout),
          ),
        );
      }
      await until(() => reload_lines(deployment.output()).length > seen, "the server logging that the reload happened", 10_000);
      return reload_lines(deployment.output())[seen];
    },
    async stop() {
      const result = await deployment.stop();
      rmSync(scripts_dir, { recursive: true, force: true });
      return result;
    },
  };
}

function reload_lines(output) {
  return output.split("\n").filter((line) => /\[lua\] (reloaded |reload refused)/.test(line));
}

function count_reload_lines(output) {
  return reload_lines(output).length;
}

// Waits until the server's output matches `pattern`; resolves with the matching line.
export async function log_line(deployment, pattern, what = `a log line matching ${pattern}`) {
  const matching = () =>
    deployment
      .output()
      .split("\n")
      .find((l) => pattern.test(l));
  await until(() => matching() !== undefined, what, 10_000);
  return matching();
}
