// Headless Chromium for the browser specs: Debian's chromium driven by playwright-core
// (never a browser download), and a static server for the page and the npm packages.
//
//   const browser = await launch_browser();      // null (test skipped) without chromium,
//                                                // an error in CI, where it must be there
//   const page = await open_page(browser, server);
import { existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const E2E = path.resolve(here, "..");
export const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialing Google on a machine
// that has no way out. Plain IPs instead of mDNS names in ICE candidates let two pages
// of one machine reach each other without a resolver. WebRTC gathers candidates only
// on an interface with a route (never lo alone): see tests/e2e/browser/README.md for
// running in a network namespace.
const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-features=WebRtcHideLocalIpsWithMdns",
];

export async function launch_browser() {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: tools/install-deps --test installs chromium`);
    return null;
  }
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json" };

// Serves tests/e2e: /browser/pages/app.html and /node_modules/... ; a module path
// without an extension gets ".js" (how "lib0/array" resolves through the import map).
export function start_static_server() {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://localhost");
    let file = path.join(E2E, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(E2E)) return response.writeHead(403).end();
    if (!existsSync(file) && existsSync(`${file}.js`)) file = `${file}.js`;
    if (!existsSync(file) || !statSync(file).isFile()) return response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() });
    });
  });
}

// A fresh browser context (its own storage, like another person's browser) on the app
// page, with the packages loaded (window.sb).
export async function open_page(browser, pages) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(`${pages.url}/browser/pages/app.html`);
  await page.waitForFunction(() => window.sb !== undefined, null, { timeout: 10_000 }).catch((error) => {
    throw new Error(`the page did not load its modules: ${errors.map(String).join("; ") || error.message}`);
  });
  page.close_all = () => context.close();
  return page;
}
