// What the hardening specs share: a test server started with a config of their own (and
// its pid, to read its memory and CPU), /metrics counters, and raw sockets that
// behave as an attacker would, byte by byte.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";

import { until } from "../support/client.mjs";
import { REPO } from "../support/deployment.mjs";
import { HOST, start_server } from "../support/server.mjs";

export const TEST_SERVER = process.env.SWITCHBOARD_TEST_SERVER_BIN ?? path.join(REPO, "build", "switchboard_test_server");

// The kernel test app (tests/support/test_app.cpp) on an anonymous "/", with `config`
// merged over it. `shell_prefix` runs before the server in the same shell (ulimit -n).
// `binary`: another server binary (build/switchboard for plugin deployments); `config`
// may then be a function of the temporary directory (for database files).
export async function start(config = {}, { shell_prefix = "", binary = TEST_SERVER } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "switchboard-hardening-"));
  const file = path.join(dir, "switchboard.yaml");
  if (typeof config === "function") config = config(dir);
  const merged = {
    ...config,
    server: { host: "127.0.0.1", shutdown_timeout: "2s", workers: 2, ...(config.server ?? {}) },
    socketio: { namespaces: [{ name: "/", anonymous: true }], ...(config.socketio ?? {}) },
    log: { level: "info", ...(config.log ?? {}) },
  };
  writeFileSync(file, JSON.stringify(merged));
  const server = await start_server({ command: `${shell_prefix}exec ${binary} serve --config ${file}` });
  return {
    ...server,
    async stop() {
      const result = await server.stop();
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The way these specs wait for an effect: never a bare sleep.
export const wait_for = until;

// The server's counters and gauges from /metrics, by full series name.
export async function metrics(url) {
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  const out = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return out;
}

export async function refused(url, bound) {
  return (await metrics(url))[`switchboard_refused_total{bound="${bound}"}`] ?? 0;
}

// Resident memory of a process, in bytes.
export function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

// CPU time (user + system) a process has used, in seconds.
export function cpu_seconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;   // utime, stime in clock ticks
}

// A raw TCP connection with a promise for its end (close from either side).
export function tcp(port) {
  const socket = net.connect({ host: HOST, port });
  socket.ended = new Promise((resolve) => socket.once("close", resolve));
  socket.received = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    socket.received = Buffer.concat([socket.received, chunk]);
  });
  socket.on("error", () => {});
  return socket;
}

export function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
}

// A client WebSocket frame (masked, as RFC 6455 requires from clients).
export function ws_frame(opcode, payload = Buffer.alloc(0)) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const mask = randomBytes(4);
  let header;
  if (data.length < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | data.length]);
  } else if (data.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; ++i) masked[i] = data[i] ^ mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}

// Opens an Engine.IO WebSocket by hand: resolves once the 101 and the open packet
// arrived. The socket stays raw: the caller decides whether it ever reads again.
export async function raw_websocket(port, query = "EIO=4&transport=websocket") {
  // An upgrade probe (a query with a sid) gets no open packet.
  const open_packet = query.includes("sid=") ? "" : '0{"sid"';
  const socket = tcp(port);
  await connected(socket);
  const key = randomBytes(16).toString("base64");
  socket.write(
    `GET /socket.io/?${query} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  await wait_for(() => socket.received.includes(Buffer.from(accept)) && socket.received.includes(Buffer.from(open_packet)),
    "the WebSocket handshake and the open packet", 5000);
  return socket;
}

// The text frames the server sent so far on a raw WebSocket (unmasked server frames).
export function text_frames(buffer) {
  const start = buffer.indexOf("\r\n\r\n");
  let at = start < 0 ? 0 : start + 4;
  const out = [];
  while (at + 2 <= buffer.length) {
    const opcode = buffer[at] & 0x0f;
    let length = buffer[at + 1] & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (offset + 2 > buffer.length) break;
      length = buffer.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (offset + 8 > buffer.length) break;
      length = Number(buffer.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > buffer.length) break;
    if (opcode === 1) out.push(buffer.subarray(offset, offset + length).toString());
    at = offset + length;
  }
  return out;
}

// Counts the lines of `text` that match `pattern`.
export function count_lines(text, pattern) {
  return text.split("\n").filter((line) => pattern.test(line)).length;
}
