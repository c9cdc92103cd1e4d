// Raw HTTP against the Engine.IO endpoint, for what a socket.io client never
// does on purpose (bad versions, overlapping polls, oversized bodies, CORS).
// node:http with no agent: every request has its own connection, closed after,
// so no kept-alive socket holds the test process open.

import http from "node:http";
import { DEFAULT_TIMEOUT_MS, with_timeout } from "./client.mjs";

export const ENGINE_PATH = "/socket.io/";

// `query` is an object or a query string. Resolves with {status, headers, body}.
export function http_request(server, { method = "GET", query = "", headers = {}, body } = {}) {
  const search = typeof query === "string" ? query : new URLSearchParams(query).toString();
  const url = `${server.url}${ENGINE_PATH}${search ? `?${search}` : ""}`;
  const sending = new Promise((resolve, reject) => {
    const all_headers = { ...headers };
    if (body !== undefined && all_headers["content-length"] === undefined) {
      all_headers["content-length"] = Buffer.byteLength(body);
    }
    let response_seen = false;
    const req = http.request(url, { method, agent: false, headers: all_headers }, (res) => {
      response_seen = true;
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", (error) => {
      // A server may answer (413) and close before reading a large body; the
      // answer is what counts, the write error that follows is not.
      if (!response_seen) reject(error);
    });
    req.end(body);
  });
  return with_timeout(sending, DEFAULT_TIMEOUT_MS, `${method} ${url}`);
}

// Opens an Engine.IO polling session by hand; resolves with the handshake data.
export async function polling_handshake(server) {
  const response = await http_request(server, { query: { EIO: "4", transport: "polling" } });
  if (response.status !== 200 || !response.body.startsWith("0")) {
    throw new Error(`polling handshake failed: ${response.status} ${response.body}`);
  }
  return JSON.parse(response.body.slice(1));
}

export function json_body(response) {
  try {
    return JSON.parse(response.body);
  } catch {
    throw new Error(`expected a JSON body, got status ${response.status} body ${JSON.stringify(response.body)}`);
  }
}

// A JSON call to any path of a server (the server API, plugin routes, /metrics), as a
// backend makes it. `body` is an object (sent as JSON) or a raw string. Resolves with
// {status, headers, body: the parsed JSON or null, text}.
export function http_call(base_url, method, url_path, { body, headers = {} } = {}) {
  const sending = new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const all = { "content-type": "application/json", ...headers };
    if (text !== undefined) all["content-length"] = Buffer.byteLength(text);
    const req = http.request(`${base_url}${url_path}`, { method, agent: false, headers: all }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let json = null;
        try {
          json = JSON.parse(raw);
        } catch {
          // /metrics and plain-text answers
        }
        resolve({ status: res.statusCode, headers: res.headers, body: json, text: raw });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(text);
  });
  return with_timeout(sending, DEFAULT_TIMEOUT_MS, `${method} ${url_path}`);
}
