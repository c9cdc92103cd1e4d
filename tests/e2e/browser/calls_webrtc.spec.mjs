// A real WebRTC call between two headless Chromium pages, set up through the calls
// plugin with socket.io-client in the page: invite, accept, offer/answer and trickled
// ICE candidates over rtc:signal, then a message over the peer-to-peer data channel.
// Loopback only, no STUN or TURN. Closing the callee's page ends the call for the caller.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { start_deployment } from "../support/deployment.mjs";
import { launch_browser, open_page, start_static_server } from "./browser.mjs";

// In the page: connects, and answers the first incoming call as a WebRTC callee.
async function callee({ url, token }) {
  const socket = window.sb.io(url, { transports: ["websocket"], auth: { token } });
  window.log = [];
  const pending = [];
  let pc = null;
  const flush = () => { while (pc?.remoteDescription && pending.length) pc.addIceCandidate(pending.shift()); };
  socket.on("call:incoming", async ({ callId, from }) => {
    window.log.push("incoming");
    const [error, call] = await new Promise((resolve) => socket.emit("call:accept", { callId }, (...args) => resolve(args)));
    if (error) return window.log.push(`accept failed: ${error.code}`);
    pc = new RTCPeerConnection({ iceServers: call.iceServers });
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) socket.emit("rtc:signal", { callId, to: from, kind: "candidate", payload: candidate.toJSON() });
    };
    pc.ondatachannel = ({ channel }) => {
      channel.onmessage = ({ data }) => {
        window.received = data;
        channel.send(`echo: ${data}`);
      };
    };
  });
  socket.on("rtc:signal", async ({ callId, from, kind, payload }) => {
    window.log.push(`${kind} from ${from}`);
    if (kind === "offer") {
      await pc.setRemoteDescription(payload);
      await pc.setLocalDescription(await pc.createAnswer());
      socket.emit("rtc:signal", { callId, to: from, kind: "answer", payload: pc.localDescription.toJSON() });
      flush();
    } else if (kind === "candidate") {
      pending.push(payload);
      flush();
    }
  });
  await new Promise((resolve, reject) => { socket.on("connect", resolve); socket.on("connect_error", reject); });
}

// In the page: calls `callee`; once accepted, offers a data channel and sends `message`.
async function caller({ url, token, callee, message }) {
  const socket = window.sb.io(url, { transports: ["websocket"], auth: { token } });
  await new Promise((resolve, reject) => { socket.on("connect", resolve); socket.on("connect_error", reject); });
  window.events = [];
  for (const event of ["call:left", "call:ended"]) socket.on(event, (payload) => window.events.push([event, payload]));
  const pending = [];
  let pc = null;
  const flush = () => { while (pc?.remoteDescription && pending.length) pc.addIceCandidate(pending.shift()); };
  const [error, call] = await new Promise((resolve) =>
    socket.emit("call:invite", { to: callee, media: "audio" }, (...args) => resolve(args)));
  if (error) throw new Error(`invite refused: ${error.code}`);
  const { callId } = call;
  socket.on("rtc:signal", async ({ kind, payload }) => {
    if (kind === "answer") {
      await pc.setRemoteDescription(payload);
      flush();
    } else if (kind === "candidate") {
      pending.push(payload);
      flush();
    }
  });
  socket.on("call:accepted", async () => {
    pc = new RTCPeerConnection({ iceServers: call.iceServers });
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) socket.emit("rtc:signal", { callId, to: callee, kind: "candidate", payload: candidate.toJSON() });
    };
    const channel = pc.createDataChannel("chat");
    channel.onopen = () => channel.send(message);
    channel.onmessage = ({ data }) => { window.echoed = data; };
    await pc.setLocalDescription(await pc.createOffer());
    socket.emit("rtc:signal", { callId, to: callee, kind: "offer", payload: pc.localDescription.toJSON() });
  });
  return callId;
}

describe("a WebRTC call between two Chromium pages", () => {
  let d;
  let browser;
  let pages;
  before(async () => {
    browser = await launch_browser();
    if (!browser) return;
    pages = await start_static_server();
    d = await start_deployment({ plugins: [{ name: "calls" }] });
  });
  after(async () => {
    await browser?.close();
    pages?.close();
    await d?.stop();
  });

  test("carries a data channel message, and closing a page ends the call", async (t) => {
    if (!browser) return t.skip("no chromium on this machine");
    const bob = await open_page(browser, pages);
    const alice = await open_page(browser, pages);
    t.after(() => alice.close_all());
    await bob.evaluate(callee, { url: d.url, token: d.token("bob") });
    const callId = await alice.evaluate(caller, {
      url: d.url, token: d.token("alice"), callee: "bob", message: "hello over a peer-to-peer data channel",
    });
    await bob.waitForFunction(() => window.received !== undefined, null, { timeout: 20_000 }).catch(async () => {
      throw new Error(`no message; callee saw ${JSON.stringify(await bob.evaluate(() => window.log))}`);
    });
    assert.equal(await bob.evaluate(() => window.received), "hello over a peer-to-peer data channel");
    await alice.waitForFunction(() => window.echoed !== undefined, null, { timeout: 10_000 });
    assert.equal(await alice.evaluate(() => window.echoed), "echo: hello over a peer-to-peer data channel");
    assert.ok((await bob.evaluate(() => window.log)).includes("candidate from alice"), "candidates were trickled");

    await bob.close_all();
    await alice.waitForFunction(() => window.events.length >= 2, null, { timeout: 10_000 });
    assert.deepEqual(await alice.evaluate(() => window.events), [
      ["call:left", { callId, user: "bob", reason: "disconnected" }],
      ["call:ended", { callId, reason: "disconnected" }],
    ]);
  });
});
