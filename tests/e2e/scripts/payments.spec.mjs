// scripts/payments.lua: signed webhooks from a real HTTP client (fetch), recorded once
// and pushed once to the user's devices; bad signatures, stale timestamps and replays
// refused. On SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { fence, unique } from "../support/client.mjs";
import { databases } from "../support/deployment.mjs";
import { ok, start_features, user } from "./support.mjs";

const ACME_SECRET = "whsec_acme_0123456789abcdef";
const OTHER_SECRET = "other-secret-0123456789";

function sign(secret, timestamp, body) {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

const now_s = () => Math.floor(Date.now() / 1000);

for (const database of databases()) {
  describe(`payments on ${database}`, () => {
    let d;
    before(async () => {
      d = await start_features({
        database,
        features: ["payments"],
        settings: {
          payments: {
            tolerance_s: 300,
            providers: {
              acme: { secret: ACME_SECRET, style: "stripe" },
              other: { secret: OTHER_SECRET, style: "headers" },
            },
          },
        },
      });
    });
    after(async () => {
      await d?.stop();
    });

    // POSTs `body` (a string, sent byte for byte) to a provider's route.
    async function post(provider, body, headers) {
      const response = await fetch(`${d.url}/webhooks/payments/${provider}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    }

    function acme(body, { timestamp = now_s(), secret = ACME_SECRET } = {}) {
      return post("acme", body, { "Stripe-Signature": `t=${timestamp},v1=${sign(secret, timestamp, body)}` });
    }

    function payment(user_id, overrides = {}) {
      return JSON.stringify({
        id: unique("evt"),
        type: "payment.completed",
        data: { payment_id: unique("pay"), user_id, amount: 1999, currency: "eur" },
        ...overrides,
      });
    }

    test("a signed payment is recorded and pushed once to every device; a replay changes nothing", async (t) => {
      const name = unique("ann");
      const phone = await user(t, d, name);
      const laptop = await user(t, d, name);
      const other = await user(t, d);
      const body = payment(name);
      const timestamp = now_s();

      assert.deepEqual(await acme(body, { timestamp }), { status: 200, body: { received: true } });
      const { data } = JSON.parse(body);
      for (const device of [phone, laptop]) {
        const [pushed] = await device.inbox.next("payment:completed");
        assert.equal(pushed.payment_id, data.payment_id);
        assert.equal(pushed.amount, 1999);
        assert.equal(pushed.currency, "EUR");
        assert.equal(pushed.provider, "acme");
      }

      // The same provider event again (a retry, or an attacker replaying it within
      // the tolerance): answered, nothing recorded, nothing pushed.
      for (let i = 0; i < 3; i += 1) {
        assert.deepEqual(await acme(body, { timestamp }), { status: 200, body: { received: true, duplicate: true } });
      }
      await fence(phone, [phone, laptop, other]);
      assert.equal(phone.inbox.all("payment:completed").length, 1);
      assert.equal(laptop.inbox.all("payment:completed").length, 1);
      assert.equal(other.inbox.all("payment:completed").length, 0);
      const payments = await ok(phone, "payment:list");
      assert.deepEqual(payments.map((p) => [p.payment_id, p.amount, p.status]), [[data.payment_id, 1999, "completed"]]);
      assert.deepEqual(await ok(other, "payment:list"), []);
    });

    test("concurrent deliveries of one event record and push it once", async (t) => {
      const name = unique("ann");
      const phone = await user(t, d, name);
      const body = payment(name);
      const timestamp = now_s();
      const answers = await Promise.all(Array.from({ length: 8 }, () => acme(body, { timestamp })));
      assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers));
      assert.equal(answers.filter((a) => !a.body.duplicate).length, 1);
      await phone.inbox.next("payment:completed");
      await fence(phone, [phone]);
      assert.equal(phone.inbox.all("payment:completed").length, 1);
      assert.equal((await ok(phone, "payment:list")).length, 1);
    });

    test("bad signatures, stale timestamps and bad bodies are refused, and record nothing", async (t) => {
      const name = unique("ann");
      const phone = await user(t, d, name);
      const body = payment(name);
      const ts = now_s();
      const refusals = [
        [post("acme", body, {}), 401, "invalid_signature"],
        [post("acme", body, { "Stripe-Signature": "garbage" }), 401, "invalid_signature"],
        [post("acme", body, { "Stripe-Signature": `t=${ts},v1=${"0".repeat(64)}` }), 401, "invalid_signature"],
        [acme(body, { secret: "not-the-secret-at-all" }), 401, "invalid_signature"],
        // Signed, then changed in transit.
        [post("acme", body.replace("1999", "1"), { "Stripe-Signature": `t=${ts},v1=${sign(ACME_SECRET, ts, body)}` }), 401, "invalid_signature"],
        // The signature of another timestamp.
        [post("acme", body, { "Stripe-Signature": `t=${ts + 1},v1=${sign(ACME_SECRET, ts, body)}` }), 401, "invalid_signature"],
        [acme(body, { timestamp: ts - 400 }), 400, "stale_timestamp"],
        [acme(body, { timestamp: ts + 400 }), 400, "stale_timestamp"],
        [acme("{not json"), 400, "invalid_payload"],
        [acme("[1,2]"), 400, "invalid_payload"],
        [acme(JSON.stringify({ type: "payment.completed", data: {} })), 400, "invalid_payload"],
        [acme(payment(name, { data: { payment_id: "p", user_id: name, currency: "eur" } })), 400, "invalid_payload"],
        [acme(payment(name, { data: { payment_id: "p", user_id: name, amount: -5, currency: "eur" } })), 400, "invalid_payload"],
        [acme(payment(name, { data: "nope" })), 400, "invalid_payload"],
      ];
      for (const [i, [answer, status, code]] of refusals.entries()) {
        const got = await answer;
        assert.equal(got.status, status, `case ${i}: ${JSON.stringify(got)}`);
        assert.equal(got.body.code, code, `case ${i}: ${JSON.stringify(got)}`);
        assert.equal(typeof got.body.message, "string");
      }
      await fence(phone, [phone]);
      assert.equal(phone.inbox.all("payment:completed").length, 0);
      assert.deepEqual(await ok(phone, "payment:list"), []);

      // A refused body did not use up its event id: the correct delivery still works.
      const fixed = JSON.parse(body);
      const bad = JSON.stringify({ ...fixed, data: { ...fixed.data, amount: "lots" } });
      assert.equal((await acme(bad)).status, 400);
      assert.deepEqual((await acme(body)).body, { received: true });
      await phone.inbox.next("payment:completed");
    });

    test("subscriptions through the other signature style; unknown types are recorded and ignored", async (t) => {
      const name = unique("ann");
      const phone = await user(t, d, name);
      const post_other = (body, timestamp = now_s()) =>
        post("other", body, { "X-Signature": `sha256=${sign(OTHER_SECRET, timestamp, body)}`, "X-Timestamp": String(timestamp) });
      const update = (status, id = unique("evt")) =>
        JSON.stringify({
          id,
          type: "subscription.updated",
          data: { subscription_id: "sub_1", user_id: name, plan: "pro", status, current_period_end: 1_900_000_000_000 },
        });
      assert.deepEqual((await post_other(update("active"))).body, { received: true });
      assert.equal((await phone.inbox.next("subscription:updated"))[0].status, "active");
      assert.deepEqual((await post_other(update("canceled"))).body, { received: true });
      assert.equal((await phone.inbox.next("subscription:updated"))[0].status, "canceled");
      const subscriptions = await ok(phone, "subscription:list");
      assert.deepEqual(subscriptions.map((s) => [s.subscription_id, s.plan, s.status]), [["sub_1", "pro", "canceled"]]);

      // The acme secret does not sign for "other"; a missing timestamp header is refused.
      const body = update("active");
      const ts = now_s();
      assert.equal((await post("other", body, { "X-Signature": `sha256=${sign(ACME_SECRET, ts, body)}`, "X-Timestamp": String(ts) })).status, 401);
      assert.equal((await post("other", body, { "X-Signature": `sha256=${sign(OTHER_SECRET, ts, body)}` })).status, 401);

      const unknown = JSON.stringify({ id: unique("evt"), type: "invoice.created", data: {} });
      assert.deepEqual((await post_other(unknown)).body, { received: true, ignored: true });
      assert.deepEqual((await post_other(unknown)).body, { received: true, duplicate: true });
      // No route for a provider that is not configured.
      assert.equal((await post("nobody", body, {})).status, 404);
    });
  });
}
