// Issue #10, TLS: https and wss on the server's port with a throwaway CA made by the
// openssl CLI, the real socket.io-client trusting it through `ca`; certificate reload
// on SIGHUP; old protocol versions, plain HTTP and stalled handshakes refused; bad
// certificate files refused at start-up.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { after, before, describe, it } from "node:test";
import { io } from "socket.io-client";

import { once } from "../support/client.mjs";
import { HOST } from "../support/server.mjs";
import { TEST_SERVER, connected, start, tcp, wait_for } from "./support.mjs";

const openssl = (cwd, ...args) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

// A CA, and server certificates it signs for 127.0.0.1 with the given serials.
function make_pki(dir) {
  openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Switchboard test CA");
  writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const server_cert = (name, serial) => {
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=localhost");
    openssl(dir, "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", serial,
      "-days", "2", "-extfile", "server.ext", "-out", `${name}.crt`);
  };
  server_cert("first", "0x1001");
  server_cert("second", "0x2002");
  return {
    ca: readFileSync(path.join(dir, "ca.crt")),
    file: (name) => path.join(dir, name),
    read: (name) => readFileSync(path.join(dir, name)),
  };
}

// The certificate serial a fresh TLS connection is served (upper-case hex, as Node gives it).
function served_serial(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: HOST, port, ca, servername: "localhost" }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.once("error", reject);
  });
}

function https_get(url, ca) {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    }).once("error", reject);
  });
}

describe("tls", () => {
  let dir;
  let pki;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "switchboard-tls-"));
    pki = make_pki(dir);
    // The files the server is configured with; the reload test overwrites them.
    writeFileSync(pki.file("live.crt"), pki.read("first.crt"));
    writeFileSync(pki.file("live.key"), pki.read("first.key"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tls_config = (extra = {}) => ({
    server: { tls: { cert_file: pki.file("live.crt"), key_file: pki.file("live.key") }, ...extra },
  });

  async function echo(client) {
    const answer = await client.timeout(5000).emitWithAck("message-with-ack", { over: "tls" });
    assert.deepEqual(answer, { over: "tls" });
  }

  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
    it(`serves socket.io-client over ${transports.join(" then ")} with the CA trusted through \`ca\``, async () => {
      const server = await start(tls_config());
      const url = `https://${HOST}:${server.port}`;
      // Several clients: an upgrade lands on any worker, and the TLS session follows the
      // socket to the worker that holds the Engine.IO session.
      const clients = Array.from({ length: transports.length > 1 ? 8 : 2 }, () =>
        io(url, { transports, ca: pki.ca, reconnection: false }));
      try {
        await Promise.all(clients.map((client) => once(client, "connect", { fail_on: ["connect_error"] })));
        if (transports.length > 1) {
          await Promise.all(clients.map((client) =>
            client.io.engine.transport.name === "websocket" ? null : once(client.io.engine, "upgrade")));
        }
        for (const client of clients) {
          assert.equal(client.io.engine.transport.name, transports.at(-1));
          await echo(client);
        }
        // Without `ca` the same client does not get through: the certificate is checked.
        const untrusting = io(url, { transports, reconnection: false });
        await once(untrusting, "connect_error", { fail_on: ["connect"] });
        untrusting.close();
      } finally {
        clients.forEach((client) => client.close());
        await server.stop();
      }
    });
  }

  it("reloads the certificate on SIGHUP: new handshakes get it, open sessions go on, a bad file keeps the old", async () => {
    writeFileSync(pki.file("live.crt"), pki.read("first.crt"));
    writeFileSync(pki.file("live.key"), pki.read("first.key"));
    const server = await start(tls_config());
    const url = `https://${HOST}:${server.port}`;
    const old_session = io(url, { transports: ["websocket"], ca: pki.ca, reconnection: false });
    try {
      await once(old_session, "connect", { fail_on: ["connect_error"] });
      assert.equal(await served_serial(server.port, pki.ca), "1001");

      writeFileSync(pki.file("live.crt"), pki.read("second.crt"));
      writeFileSync(pki.file("live.key"), pki.read("second.key"));
      process.kill(server.pid, "SIGHUP");
      await wait_for(() => /TLS certificate reloaded/.test(server.output()), "the reload's log line");
      assert.equal(await served_serial(server.port, pki.ca), "2002");
      assert.equal(old_session.connected, true);
      await echo(old_session);

      // A key that does not match: logged, and the second certificate stays in service.
      writeFileSync(pki.file("live.key"), pki.read("first.key"));
      process.kill(server.pid, "SIGHUP");
      await wait_for(() => /TLS certificate not reloaded/.test(server.output()), "the failed reload's log line");
      assert.match(server.output(), new RegExp(`does not match the certificate in ${pki.file("live.crt")}`));
      assert.equal(await served_serial(server.port, pki.ca), "2002");
      await echo(old_session);
    } finally {
      old_session.close();
      await server.stop();
      writeFileSync(pki.file("live.key"), pki.read("first.key"));
      writeFileSync(pki.file("live.crt"), pki.read("first.crt"));
    }
  });

  it("refuses TLS 1.1 and accepts 1.2 from the same client", async () => {
    const server = await start(tls_config());
    const attempt = (maxVersion) => new Promise((resolve) => {
      // SECLEVEL=0: OpenSSL 3 would refuse TLS 1.1 on the client side already, and the
      // server could not be the one that says no.
      const socket = tls.connect({ host: HOST, port: server.port, ca: pki.ca, minVersion: "TLSv1", maxVersion,
        ciphers: "DEFAULT@SECLEVEL=0" }, () => {
        const version = socket.getProtocol();
        socket.end();
        resolve({ version });
      });
      socket.once("error", (error) => resolve({ error }));
    });
    try {
      const old = await attempt("TLSv1.1");
      assert.ok(old.error, `TLS 1.1 was accepted (${old.version})`);
      // The server's alert, not a client-side refusal.
      assert.match(old.error.code, /ALERT_PROTOCOL_VERSION/);
      assert.equal(await refused_over_tls(server.port, "tls_handshake"), 1);
      assert.deepEqual(await attempt("TLSv1.2"), { version: "TLSv1.2" });
    } finally {
      await server.stop();
    }
  });

  async function refused_over_tls(port, bound) {
    const { body } = await https_get(`https://${HOST}:${port}/metrics`, pki.ca);
    const line = body.split("\n").find((l) => l.startsWith(`switchboard_refused_total{bound="${bound}"}`));
    return line ? Number(line.split(" ").at(-1)) : 0;
  }

  it("answers plain HTTP on the TLS port with a plain 400, and closes a stalled handshake at the header deadline", async () => {
    const server = await start(tls_config({ header_timeout: "500ms" }));
    try {
      const plain = await fetch(`http://${HOST}:${server.port}/socket.io/?EIO=4&transport=polling`);
      assert.equal(plain.status, 400);
      assert.match(await plain.text(), /This port speaks HTTPS/);

      // The first byte of a TLS record, then nothing: the handshake never finishes.
      const stalled = tcp(server.port);
      await connected(stalled);
      stalled.write(Buffer.from([0x16]));
      const silent = tcp(server.port);
      await connected(silent);
      await Promise.all([stalled.ended, silent.ended]);
      assert.equal(await refused_over_tls(server.port, "plain_http_on_tls"), 1);
      assert.ok((await refused_over_tls(server.port, "header_deadline")) >= 1);
    } finally {
      await server.stop();
    }
  });

  for (const [what, config, message] of [
    ["a missing certificate", () => ({ cert_file: pki.file("missing.crt"), key_file: pki.file("first.key") }),
      () => `server.tls.cert_file: cannot read ${pki.file("missing.crt")}`],
    ["a key that is not a key", () => ({ cert_file: pki.file("first.crt"), key_file: pki.file("server.ext") }),
      () => `server.tls.key_file: ${pki.file("server.ext")} holds no usable PEM private key`],
    ["a key that does not match", () => ({ cert_file: pki.file("first.crt"), key_file: pki.file("second.key") }),
      () => `the private key in ${pki.file("second.key")} does not match the certificate in ${pki.file("first.crt")}`],
  ]) {
    it(`refuses to start with ${what}, naming the file`, () => {
      const file = path.join(dir, "bad.yaml");
      writeFileSync(file, JSON.stringify({ server: { host: HOST, port: 1, tls: config() } }));
      const result = spawnSync(TEST_SERVER, ["serve", "--config", file], { encoding: "utf8", timeout: 30_000 });
      assert.notEqual(result.status, 0, result.stdout + result.stderr);
      assert.ok((result.stdout + result.stderr).includes(message()), result.stdout + result.stderr);
    });
  }
});
