// The soak drives the same npm packages as the e2e suite (socket.io-client 4.8, ws),
// resolved from tests/e2e/node_modules: one lock file, one `npm ci`, no second copy.
import { createRequire } from "node:module";

const require = createRequire(new URL("../../e2e/package.json", import.meta.url));

export const { io } = require("socket.io-client");
export const WebSocket = require("ws");
