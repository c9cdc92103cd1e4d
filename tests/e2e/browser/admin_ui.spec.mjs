// The real Socket.IO Admin UI (the built UI shipped in the @socket.io/admin-ui npm
// package, served as a static site of its own origin) in headless Chromium, logged in
// to Switchboard's admin namespace: it lists the server, its sockets and rooms, and
// what the UI sends reaches a socket.io-client.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { start_deployment } from "../support/deployment.mjs";
import { launch_browser } from "./browser.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const bcrypt = require("bcryptjs");
const UI_DIR = path.resolve(here, "../node_modules/@socket.io/admin-ui/ui/dist");
const PASSWORD = "s3cret-for-the-ui";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
  ".png": "image/png", ".map": "application/json" };

// The UI as a self-hosted deployment serves it: its files, on an origin of its own.
function serve_ui() {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://localhost");
    let file = path.join(UI_DIR, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(UI_DIR)) return response.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!existsSync(file)) return response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }));
  });
}

test("the Admin UI logs in and shows the server, its sockets and rooms; what it sends reaches a client",
  async (t) => {
    const browser = await launch_browser();
    if (!browser) return t.skip("chromium is not installed");
    t.after(() => browser.close());
    const ui = await serve_ui();
    t.after(() => ui.close());
    const d = await start_deployment({
      namespaces: [{ name: "/", anonymous: true }],
      extra: {
        // The documented line that lets the UI's origin in (credentials: the UI sends them).
        cors: { origins: [ui.url], credentials: true },
        admin: { enabled: true, auth: { username: "ops", password_hash: bcrypt.hashSync(PASSWORD, 4) },
          server_id: "switchboard-ui-test" },
      },
    });
    t.after(() => d.stop());

    const user = io(d.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
    t.after(() => user.disconnect());
    await once(user, "connect", { fail_on: ["connect_error"] });

    const context = await browser.newContext();
    const page = await context.newPage();
    // The UI links fonts and icons from CDNs: nothing leaves this machine.
    await page.route(/^https:\/\//, (route) => route.abort());
    // Keeps the UI's WebSocket at hand, to send over the UI's own connection what its
    // 0.5 screens have no form for (an emit).
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      window.__admin_sockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          window.__admin_sockets.push(this);
        }
      };
    });
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${ui.url}/`);

    // The connection dialog, as a person fills it.
    await page.getByLabel("Server URL").fill(d.url);
    await page.getByLabel("Username").fill("ops");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByText("Advanced options").click();
    await page.getByText("WebSocket only?").click();
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByText(/^\s*connected\s*$/i).first().waitFor({ timeout: 15_000 });

    // The server, from its server_stats.
    await page.goto(`${ui.url}/#/servers/`);
    await page.getByText("switchboard-ui-test").first().waitFor({ timeout: 15_000 });

    // The user's socket, from all_sockets.
    await page.goto(`${ui.url}/#/sockets/`);
    await page.getByText(user.id).first().waitFor({ timeout: 15_000 });

    // Its details page: join a room through the UI's form; the room is listed.
    await page.goto(`${ui.url}/#/n/${encodeURIComponent("/")}/sockets/${user.id}`);
    const room_field = page.getByLabel("Join a room");
    await room_field.fill("ops-room");
    await page.locator("form").filter({ has: room_field }).getByRole("button").click();
    await page.getByText("ops-room").first().waitFor({ timeout: 15_000 });
    await page.goto(`${ui.url}/#/rooms/`);
    await page.getByText("ops-room").first().waitFor({ timeout: 15_000 });

    // An emit from the UI's connection reaches the user.
    const delivered = once(user, "from-ui");
    await page.evaluate(() => {
      const ws = window.__admin_sockets.find((s) => s.readyState === 1);
      ws.send('42/admin,["emit","/","ops-room","from-ui",{"hello":"from the admin ui"}]');
    });
    assert.deepEqual(await delivered, [{ hello: "from the admin ui" }]);

    // And its disconnect button reaches it too.
    const gone = once(user, "disconnect");
    await page.goto(`${ui.url}/#/sockets/`);
    await page.getByText(user.id).first().waitFor({ timeout: 15_000 });
    const row = page.getByRole("row").filter({ hasText: user.id });
    await row.getByRole("button").last().click();
    assert.equal((await gone)[0], "io server disconnect");
    assert.deepEqual(errors, []);
  });
