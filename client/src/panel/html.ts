// The memory panel's HTML: a strict Content-Security-Policy (nothing but our own bundled script,
// run by its per-load nonce, and our own stylesheet), and the stable element ids the webview
// script fills in and the end-to-end tests read.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the webview serves extension resources from. */
  cspSource: string;
  /** A fresh random value per load. */
  nonce: string;
  /** `asWebviewUri` of dist/webview.js and dist/webview.css. */
  scriptUri: string;
  styleUri: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function renderPanelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>Leak Lens: Memory</title>
</head>
<body>
<main id="app">
  <header class="head">
    <div class="who">
      <h1 id="target" title="">No process attached</h1>
      <div id="target-detail" class="detail"></div>
    </div>
    <div class="toolbar" role="toolbar" aria-label="Memory monitor">
      <button id="pause" type="button" hidden title="Stop taking samples for now">Pause</button>
      <button id="resume" type="button" hidden title="Take samples again">Resume</button>
      <button id="detach" type="button" class="secondary" hidden title="Stop sampling; the samples stay here">Detach</button>
      <button id="reattach" type="button" hidden title="Attach again to the same target (a new run)">Re-attach</button>
      <button id="attach" type="button" title="Pick a process or metrics URL to watch">Attach to Process…</button>
      <span class="sep" aria-hidden="true"></span>
      <button id="export-csv" type="button" class="secondary" disabled title="Save every sample as CSV">CSV</button>
      <button id="export-json" type="button" class="secondary" disabled title="Save the detect JSON (samples and verdict)">JSON</button>
      <button id="export-png" type="button" class="secondary" disabled title="Save the chart as a PNG image">PNG</button>
    </div>
  </header>
  <section class="summary" aria-live="polite">
    <span id="verdict" class="badge" data-verdict="none" data-final="false">no data</span>
    <span class="figure"><span class="label">Growth</span> <span id="growth" data-mb-per-min="">–</span></span>
    <span class="figure"><span class="label">R²</span> <span id="r2">–</span></span>
    <span class="figure"><span class="label">RSS</span> <span id="rss">–</span></span>
    <span class="figure"><span class="label">Samples</span> <span id="sample-count" data-count="0">0</span></span>
    <span class="figure" id="warmup-figure" hidden><span class="label">Warm-up excluded</span> <span id="warmup">–</span></span>
  </section>
  <p id="reason" class="reason"></p>
  <div id="status" class="status" data-state="empty" role="status">Nothing attached. Run “Leak Lens: Attach to Process” or “Leak Lens: Detect Memory Leak”.</div>
  <div id="chart-wrap">
    <div id="chart" aria-label="Resident memory over time"></div>
    <button id="reset-zoom" type="button" class="secondary" hidden>Reset zoom</button>
  </div>
  <ul id="errors" class="errors" hidden></ul>
  <ul id="markers" class="markers" hidden aria-label="Events from the logs"></ul>
  <p class="hint">Drag across the chart to zoom in, double-click to zoom out. The chart draws each pixel column’s lowest and highest value; the exports hold every sample.</p>
</main>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}
