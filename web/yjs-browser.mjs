// Entry of web/yjs.min.js (built by esbuild at build time): the yjs npm package as
// window.Y for the demo page's shared document, which speaks the collab plugin's
// plain events (plugins/collab/README.md) without a provider.
import * as Y from "yjs";
window.Y = Y;
