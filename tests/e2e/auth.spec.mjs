// JWT authentication through a real socket.io-client: valid tokens of each algorithm
// (HS256, RS256, ES256) from each place a client can put them, and every refusal as
// the CONNECT_ERROR a client sees ({message, data: {code}}): expired, not yet valid,
// wrong issuer, wrong audience, bad signature, garbage, algorithm confusion, missing.
// Keys are made here with node:crypto; tokens are signed here as a backend would.
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { call, connect_user, refusal_of, start_probe_deployment } from "./support/store_probe.mjs";

const TEST = { timeout: 30_000 };
const ISSUER = "https://issuer.switchboard.test";
const AUDIENCE = "switchboard-test";
const TRANSPORTS = [
  { name: "websocket", options: { transports: ["websocket"] } },
  { name: "polling", options: { transports: ["polling"] } },
];

const now = () => Math.floor(Date.now() / 1000);

// A JWS compact token. `key`: the HMAC secret, or a private KeyObject.
function sign_jwt(alg, key, claims, { header = {}, der_signature = false } = {}) {
  const head = Buffer.from(JSON.stringify({ alg, typ: "JWT", ...header })).toString("base64url");
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const data = Buffer.from(`${head}.${body}`);
  let signature;
  if (alg === "HS256") signature = createHmac("sha256", key).update(data).digest();
  else if (alg === "RS256") signature = sign("sha256", data, key);
  else if (alg === "ES256") signature = sign("sha256", data, { key, dsaEncoding: der_signature ? "der" : "ieee-p1363" });
  else signature = Buffer.alloc(0);
  return `${head}.${body}.${signature.toString("base64url")}`;
}

const claims_for = (sub, extra = {}) => ({ sub, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600, ...extra });

async function assert_refused(t, d, options, code, message_pattern) {
  const refusal = await refusal_of(t, d, options);
  assert.equal(refusal.data?.code, code, `refusal ${JSON.stringify(refusal)}`);
  assert.match(refusal.message, message_pattern);
}

async function assert_user(t, d, options, expected) {
  const socket = await connect_user(t, d, options);
  const user = await call(socket, "probe:whoami");
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(user?.[key], value, `user ${JSON.stringify(user)}`);
  return user;
}

const NAMESPACES = [
  { name: "/", anonymous: false },
  { name: "/public", anonymous: true },
];

describe("HS256 with issuer, audience and leeway", () => {
  let d;
  before(async () => {
    d = await start_probe_deployment({
      auth: { issuer: ISSUER, audience: AUDIENCE, leeway: "30s" },
      namespaces: NAMESPACES,
    });
  });
  after(() => d?.stop());
  const token = (sub, extra, options) => sign_jwt("HS256", d.secret, claims_for(sub, extra), options);

  for (const mode of TRANSPORTS) {
    describe(`over ${mode.name}`, () => {
      test("a valid token admits the client; its claims are the user, id = sub", TEST, async (t) => {
        const user = await assert_user(t, d, { ...mode.options, auth: { token: token("alice", { name: "Alice", roles: ["admin"] }) } }, {
          id: "alice",
          sub: "alice",
          name: "Alice",
          roles: ["admin"],
          iss: ISSUER,
        });
        assert.equal(user.aud, AUDIENCE);
      });

      test("the token may come in an Authorization: Bearer header", TEST, async (t) => {
        await assert_user(t, d, { ...mode.options, extraHeaders: { Authorization: `Bearer ${token("bella")}` } }, { id: "bella" });
      });

      test("the token may come as the token query parameter", TEST, async (t) => {
        await assert_user(t, d, { ...mode.options, query: { token: token("carl") } }, { id: "carl" });
      });

      const refusals = [
        ["no token at all", () => ({}), "forbidden", /authentication required/],
        ["an expired token", () => ({ token: token("x", { exp: now() - 60 }) }), "token_expired", /expired/],
        ["a token not valid yet", () => ({ token: token("x", { nbf: now() + 60 }) }), "invalid_token", /not yet valid/],
        ["a wrong issuer", () => ({ token: token("x", { iss: "https://evil.test" }) }), "invalid_token", /issuer/],
        ["no issuer", () => ({ token: token("x", { iss: undefined }) }), "invalid_token", /issuer/],
        ["a wrong audience", () => ({ token: token("x", { aud: "someone-else" }) }), "invalid_token", /audience/],
        ["an audience list without ours", () => ({ token: token("x", { aud: ["a", "b"] }) }), "invalid_token", /audience/],
        ["a signature made with another secret", () => ({ token: sign_jwt("HS256", "not-the-secret", claims_for("x")) }), "invalid_token", /signature/],
        [
          "a payload changed after signing",
          () => {
            const [head, , signature] = token("mallory").split(".");
            const forged = Buffer.from(JSON.stringify(claims_for("admin"))).toString("base64url");
            return { token: `${head}.${forged}.${signature}` };
          },
          "invalid_token",
          /signature/,
        ],
        ["alg none", () => ({ token: sign_jwt("none", null, claims_for("x")) }), "invalid_token", /algorithm/],
        ["garbage", () => ({ token: "garbage" }), "invalid_token", /malformed/],
        ["three parts of garbage", () => ({ token: "a!b.c$d.e%f" }), "invalid_token", /malformed/],
        ["JSON that is not an object", () => ({ token: `${Buffer.from("[1]").toString("base64url")}.e30.` }), "invalid_token", /malformed/],
        ["an exp that is not a number", () => ({ token: token("x", { exp: "tomorrow" }) }), "invalid_token", /malformed/],
        ["a token without sub", () => ({ token: token(undefined) }), "invalid_token", /sub/],
        ["a token that is not a string", () => ({ token: 42 }), "forbidden", /authentication required/],
      ];
      for (const [what, auth, code, pattern] of refusals) {
        test(`refused: ${what} -> ${code}`, TEST, async (t) => {
          await assert_refused(t, d, { ...mode.options, auth: auth() }, code, pattern);
        });
      }

      test("a bad token in the header is refused as one in the auth payload", TEST, async (t) => {
        await assert_refused(t, d, { ...mode.options, extraHeaders: { Authorization: "Bearer garbage" } }, "invalid_token", /malformed/);
      });
    });
  }

  test("the leeway tolerates small clock skew on exp and nbf", TEST, async (t) => {
    await assert_user(t, d, { auth: { token: token("skewed-exp", { exp: now() - 2 }) } }, { id: "skewed-exp" });
    await assert_user(t, d, { auth: { token: token("skewed-nbf", { nbf: now() + 2 }) } }, { id: "skewed-nbf" });
  });

  test("an audience list that includes ours is accepted", TEST, async (t) => {
    await assert_user(t, d, { auth: { token: token("dora", { aud: ["other", AUDIENCE] }) } }, { id: "dora" });
  });

  test("switchboard token issues a development token this deployment accepts", TEST, async (t) => {
    const issued = d.cli("token", "--sub", "zed", "--name", "Zed", "--roles", "admin,editor", "--ttl", "10m");
    assert.equal(issued.status, 0, issued.stderr);
    const user = await assert_user(t, d, { auth: { token: issued.stdout.trim() } }, {
      id: "zed",
      name: "Zed",
      roles: ["admin", "editor"],
      iss: ISSUER,
      aud: AUDIENCE,
    });
    assert.ok(Math.abs(user.exp - (now() + 600)) <= 5, `exp ${user.exp} should be about 10 minutes away`);
    assert.equal(d.cli("token", "--name", "No Sub").status, 2);
    assert.equal(d.cli("token", "--sub", "x", "--ttl", "forever").status, 2);
  });

  test("a numeric sub becomes a string id", TEST, async (t) => {
    await assert_user(t, d, { auth: { token: token(1234) } }, { id: "1234", sub: 1234 });
  });

  test("an anonymous namespace admits clients without a token (user null), with a token as that user", TEST, async (t) => {
    const anonymous = await connect_user(t, d, { nsp: "/public" });
    assert.equal(await call(anonymous, "probe:whoami"), null);
    await assert_user(t, d, { nsp: "/public", auth: { token: token("erin") } }, { id: "erin" });
  });

  test("an anonymous namespace still refuses a bad token rather than ignore it", TEST, async (t) => {
    await assert_refused(t, d, { nsp: "/public", auth: { token: token("x", { exp: now() - 60 }) } }, "token_expired", /expired/);
    await assert_refused(t, d, { nsp: "/public", auth: { token: "garbage" } }, "invalid_token", /malformed/);
  });
});

describe("RS256", () => {
  let d;
  let dir;
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const public_pem = keys.publicKey.export({ type: "spki", format: "pem" });
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "switchboard-keys-"));
    const key_file = path.join(dir, "rs256.pem");
    writeFileSync(key_file, public_pem);
    d = await start_probe_deployment({ auth: { secret: "", algorithms: ["RS256"], public_key_file: key_file, issuer: ISSUER } });
  });
  after(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a token signed with the private key admits the client", TEST, async (t) => {
    await assert_user(t, d, { auth: { token: sign_jwt("RS256", keys.privateKey, claims_for("rsa-user", { name: "R" })) } }, {
      id: "rsa-user",
      name: "R",
    });
  });

  test("refused: another key's signature, expiry, and an HS256 token keyed with the public key", TEST, async (t) => {
    await assert_refused(t, d, { auth: { token: sign_jwt("RS256", other.privateKey, claims_for("x")) } }, "invalid_token", /signature/);
    await assert_refused(t, d, { auth: { token: sign_jwt("RS256", keys.privateKey, claims_for("x", { exp: now() - 3600 })) } }, "token_expired", /expired/);
    // The classic confusion: the attacker knows the public key and HMACs with it.
    await assert_refused(t, d, { auth: { token: sign_jwt("HS256", public_pem, claims_for("x")) } }, "invalid_token", /algorithm/);
    await assert_refused(t, d, { auth: { token: sign_jwt("HS256", d.secret, claims_for("x")) } }, "invalid_token", /algorithm/);
    await assert_refused(t, d, { auth: { token: sign_jwt("none", null, claims_for("x")) } }, "invalid_token", /algorithm/);
  });

  test("switchboard token refuses without an HS256 secret to sign with", TEST, () => {
    const issued = d.cli("token", "--sub", "x");
    assert.equal(issued.status, 1);
    assert.match(issued.stderr, /no HS256 secret/);
  });
});

describe("ES256 (key from an environment variable)", () => {
  let d;
  const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const variable = `SWITCHBOARD_TEST_ES256_${randomBytes(4).toString("hex").toUpperCase()}`;
  before(async () => {
    // The server inherits this process's environment.
    process.env[variable] = keys.publicKey.export({ type: "spki", format: "pem" });
    d = await start_probe_deployment({ auth: { secret: "", algorithms: ["ES256"], public_key_env: variable } });
  });
  after(async () => {
    await d?.stop();
    delete process.env[variable];
  });

  test("a token signed with the private key admits the client", TEST, async (t) => {
    await assert_user(t, d, { auth: { token: sign_jwt("ES256", keys.privateKey, claims_for("ec-user")) } }, { id: "ec-user" });
  });

  test("refused: another key's signature, a DER signature, an RS256 token, not yet valid", TEST, async (t) => {
    await assert_refused(t, d, { auth: { token: sign_jwt("ES256", other.privateKey, claims_for("x")) } }, "invalid_token", /signature/);
    // JWS carries r || s; a DER-encoded signature is not one.
    await assert_refused(t, d, { auth: { token: sign_jwt("ES256", keys.privateKey, claims_for("x"), { der_signature: true }) } }, "invalid_token", /signature/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await assert_refused(t, d, { auth: { token: sign_jwt("RS256", rsa.privateKey, claims_for("x")) } }, "invalid_token", /algorithm/);
    await assert_refused(t, d, { auth: { token: sign_jwt("ES256", keys.privateKey, claims_for("x", { nbf: now() + 3600 })) } }, "invalid_token", /not yet valid/);
  });
});

describe("no key configured", () => {
  let d;
  before(async () => {
    d = await start_probe_deployment({ auth: { secret: "" }, namespaces: NAMESPACES });
  });
  after(() => d?.stop());

  test("tokens are ignored: a non-anonymous namespace refuses everyone", TEST, async (t) => {
    const token = sign_jwt("HS256", "whatever", claims_for("alice"));
    await assert_refused(t, d, { auth: { token } }, "forbidden", /authentication required/);
    await assert_refused(t, d, {}, "forbidden", /authentication required/);
  });

  test("an anonymous namespace admits clients, as anonymous even with a token", TEST, async (t) => {
    const socket = await connect_user(t, d, { nsp: "/public", auth: { token: sign_jwt("HS256", "whatever", claims_for("alice")) } });
    assert.equal(await call(socket, "probe:whoami"), null);
  });
});
