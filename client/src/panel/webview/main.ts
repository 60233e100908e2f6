// PLACEHOLDER so that `npm run build` (esbuild entry dist/webview.js) works before the memory
// panel exists. Replaced by the panel's webview script (issue 4).
export {};
