// The plugins' ack convention (Node's callback style): `[null, result]` for a success,
// `[{code, message}]` for a refusal. One request of a Clients client, asserted either way.
import assert from "node:assert/strict";

import { request_all } from "./client.mjs";

// The result of a request that must succeed.
export async function ok(client, event, payload) {
  const [error, result] = await request_all(client, event, payload);
  assert.equal(error, null, `${client.label} ${event}: ${JSON.stringify(error)}`);
  return result;
}

// The error of a request that must be refused with `code`; its message must be a string.
export async function refused(client, event, payload, code) {
  const [error] = await request_all(client, event, payload);
  assert.equal(error?.code, code, `${client.label} ${event}: ${JSON.stringify(error)}`);
  assert.equal(typeof error.message, "string");
  return error;
}
