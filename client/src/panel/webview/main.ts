/// <reference lib="dom" />
// The memory panel's page: receives the run from the extension (a snapshot, then one message per
// sample), draws it with uPlot and fills in the figures. Keeps a decimated copy of what it shows in
// the webview state, so a panel brought back (hidden tab, window reload) draws at once.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { buildChartData, shortCommand } from '../chart-data';
import { PanelModel } from '../panel-model';
import { errorLine, growthText, rssText, statusLine, verdictBadge } from '../panel-text';
import type { ExtensionMessage, PanelSnapshot, WebviewMessage } from '../protocol';
import { MemoryChart } from './chart';
import { chartPng } from './png';
import { renderProbeSection } from './probe-section';
import { readTheme } from './theme';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  version: 1;
  snapshot: PanelSnapshot | null;
}

/** Points kept in the webview state: enough to redraw, small enough to save every few seconds. */
const STATE_POINTS = 4000;
const STATE_SAVE_MS = 3000;

const vscode = acquireVsCodeApi();
const model = new PanelModel();
let zoom: [number, number] | undefined;
let lastAppendAt = performance.now();
let notice: { text: string; level: 'info' | 'error'; until: number } | undefined;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const els = {
  target: $('target'),
  targetDetail: $('target-detail'),
  verdict: $('verdict'),
  growth: $('growth'),
  r2: $('r2'),
  rss: $('rss'),
  sampleCount: $('sample-count'),
  warmup: $('warmup'),
  warmupFigure: $('warmup-figure'),
  reason: $('reason'),
  status: $('status'),
  chart: $('chart'),
  errors: $('errors'),
  markers: $('markers'),
  resetZoom: $<HTMLButtonElement>('reset-zoom'),
  buttons: {
    pause: $<HTMLButtonElement>('pause'),
    resume: $<HTMLButtonElement>('resume'),
    detach: $<HTMLButtonElement>('detach'),
    reattach: $<HTMLButtonElement>('reattach'),
    attach: $<HTMLButtonElement>('attach'),
    csv: $<HTMLButtonElement>('export-csv'),
    json: $<HTMLButtonElement>('export-json'),
    png: $<HTMLButtonElement>('export-png'),
  },
};

const chart = new MemoryChart(
  els.chart,
  readTheme(),
  (range) => {
    zoom = range;
    scheduleRender();
  },
  (index) => {
    const marker = model.info?.markers?.[index];
    if (marker) post({ type: 'openLocation', file: marker.file, line: marker.line });
  },
);

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function reportError(err: unknown): void {
  const message = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
  try {
    post({ type: 'error', message });
  } catch {
    // nothing more we can do
  }
}
window.addEventListener('error', (e) => reportError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => reportError(e.reason));

// --- rendering ---------------------------------------------------------------------------------

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    try {
      render();
    } catch (err) {
      reportError(err);
    }
  });
}

function render(): void {
  const info = model.info;
  const analysis = model.analysis;
  const count = model.xs.length;
  const lastT = count ? model.xs[count - 1] : undefined;

  els.target.textContent = info ? info.target.title : 'No process attached';
  els.target.title = info ? `${info.target.title} ${info.target.detail}` : '';
  els.targetDetail.textContent = info?.target.detail ?? '';

  const badge = verdictBadge(analysis);
  els.verdict.textContent = badge.text;
  els.verdict.dataset.verdict = badge.verdict;
  els.verdict.dataset.final = String(badge.final);
  els.verdict.title = badge.title;
  els.verdict.dataset.soFar = String(!!analysis && !badge.final);

  els.growth.textContent = growthText(analysis);
  els.growth.dataset.mbPerMin = analysis ? String(analysis.growthMBPerMin) : '';
  els.r2.textContent = analysis && analysis.sampleCount >= 3 ? analysis.r2.toFixed(2) : '–';
  els.rss.textContent = rssText(count ? model.total[count - 1] : undefined);
  els.sampleCount.textContent = String(count);
  els.sampleCount.dataset.count = String(count);
  const warm = analysis?.warmupSeconds ?? 0;
  els.warmupFigure.hidden = !(warm > 0);
  els.warmup.textContent = warm > 0 ? `${warm.toFixed(warm >= 10 ? 0 : 1)} s` : '–';
  els.reason.textContent = analysis ? `${analysis.final ? '' : 'So far: '}${analysis.reason}` : '';

  const status = statusLine(info, count, lastT, (performance.now() - lastAppendAt) / 1000);
  const showNotice = notice && notice.until > Date.now();
  els.status.textContent = showNotice && notice ? notice.text : status.text;
  els.status.dataset.state = status.state;
  els.status.dataset.level =
    showNotice && notice ? notice.level : status.state === 'failed' ? 'error' : 'info';

  const state = info?.state;
  const attached = state === 'starting' || state === 'running' || state === 'paused';
  const b = els.buttons;
  b.pause.hidden = state !== 'running';
  b.resume.hidden = state !== 'paused';
  b.detach.hidden = !attached;
  // Runs read from logs or a Prometheus server are not re-attached with this button.
  b.reattach.hidden = !info || attached || (info.target.kind !== 'pid' && info.target.kind !== 'url');
  b.reattach.disabled = !model.canAttach;
  b.attach.hidden = attached;
  // One primary button: "Re-attach" when a run is shown, "Attach to Process…" on an empty panel.
  b.attach.classList.toggle('secondary', !!info);
  b.attach.disabled = !model.canAttach;
  for (const button of [b.csv, b.json]) button.disabled = count === 0;
  b.png.disabled = count === 0;
  const untrusted = model.canAttach ? '' : ' (needs a trusted workspace)';
  b.attach.title = `Pick a process or metrics URL to watch${untrusted}`;
  b.reattach.title = `Attach again to the same target (a new run)${untrusted}`;

  const errors = info?.errors ?? [];
  els.errors.hidden = errors.length === 0;
  els.errors.replaceChildren(
    ...errors.slice(-20).map((e) => {
      const li = document.createElement('li');
      li.textContent = errorLine(e);
      li.dataset.fatal = String(e.fatal);
      return li;
    }),
  );

  renderChart(lastT);
}

function renderChart(lastT: number | undefined): void {
  const info = model.info;
  els.resetZoom.hidden = zoom === undefined;
  if (!info || model.xs.length === 0) {
    chart.destroy();
    els.chart.dataset.points = '0';
    return;
  }
  const first = model.xs[0];
  let end = lastT ?? first;
  // While detecting, the axis spans the planned duration: the line fills it as time runs out.
  if (
    info.mode === 'detect' &&
    info.durationSeconds !== undefined &&
    (info.state === 'running' || info.state === 'paused')
  ) {
    end = Math.max(end, first + info.durationSeconds);
  }
  if (end <= first) end = first + Math.max(info.intervalSeconds, 1);
  const xRange: [number, number] = zoom ?? [first, end];
  const width = Math.max(200, els.chart.clientWidth);
  const data = buildChartData(model, { buckets: width, range: zoom });
  chart.update({
    data,
    xRange,
    verdict: model.analysis?.verdict,
    startedAt: info.startedAt,
    markers: info.markers,
  });
  els.chart.dataset.points = String(data.xs.length);
  els.chart.dataset.markers = String(info.markers?.length ?? 0);
  renderMarkerList(info.markers ?? [], info.sessionId);
}

/** The events under the chart as a list too: readable, keyboard-reachable, each opens its line. */
function renderMarkerList(markers: NonNullable<PanelSnapshot['markers']>, sessionId: string): void {
  els.markers.hidden = markers.length === 0;
  const key = `${sessionId}:${markers.length}`;
  if (els.markers.dataset.key === key) return;
  els.markers.dataset.key = key;
  els.markers.replaceChildren(
    ...markers.slice(0, 200).map((m) => {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = '#';
      link.textContent = m.label;
      link.dataset.kind = m.kind;
      link.addEventListener('click', (e) => {
        e.preventDefault();
        post({ type: 'openLocation', file: m.file, line: m.line });
      });
      li.append(link);
      return li;
    }),
  );
}

// --- state kept by the webview --------------------------------------------------------------------

let saveTimer: number | undefined;
function saveStateSoon(): void {
  if (saveTimer !== undefined) return;
  saveTimer = window.setTimeout(() => {
    saveTimer = undefined;
    const state: SavedState = { version: 1, snapshot: model.toSnapshot(STATE_POINTS) };
    vscode.setState(state);
  }, STATE_SAVE_MS);
}

function restoreState(): void {
  const saved = vscode.getState() as SavedState | undefined;
  if (saved?.version === 1 && saved.snapshot) {
    try {
      model.reset(saved.snapshot, false);
    } catch (err) {
      reportError(err);
      model.reset(null);
    }
  }
}

// --- wiring ----------------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<ExtensionMessage>) => {
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
  if (message.type === 'notice') {
    notice = { text: message.text, level: message.level, until: Date.now() + 8000 };
    scheduleRender();
    return;
  }
  if (message.type === 'probe') {
    renderProbeSection(message.view, post);
    return;
  }
  if (message.type === 'reset') zoom = undefined;
  if (message.type === 'append') lastAppendAt = performance.now();
  if (model.apply(message)) {
    scheduleRender();
    saveStateSoon();
  }
});

const b = els.buttons;
b.pause.addEventListener('click', () => post({ type: 'pause' }));
b.resume.addEventListener('click', () => post({ type: 'resume' }));
b.detach.addEventListener('click', () => post({ type: 'detach' }));
b.reattach.addEventListener('click', () => post({ type: 'reattach' }));
b.attach.addEventListener('click', () => post({ type: 'attach' }));
b.csv.addEventListener('click', () => post({ type: 'export', format: 'csv' }));
b.json.addEventListener('click', () => post({ type: 'export', format: 'json' }));
b.png.addEventListener('click', () => {
  const info = model.info;
  const canvas = chart.canvas;
  if (!info || !canvas) return;
  const badge = verdictBadge(model.analysis);
  const dataUrl = chartPng(canvas, readTheme(), {
    title: `${info.target.title}  ${shortCommand(info.target.detail, 90)}`.trim(),
    subtitle: `${badge.text}${badge.final ? '' : ' (so far)'} · ${growthText(model.analysis)} · ${model.xs.length} samples`,
    legend: chart.legend,
  });
  post({ type: 'exportPng', dataUrl });
});
els.resetZoom.addEventListener('click', () => {
  zoom = undefined;
  scheduleRender();
});

// Theme switches change the body's classes: re-read the colours and redraw.
new MutationObserver(() => {
  chart.setTheme(readTheme());
  scheduleRender();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

new ResizeObserver(() => {
  const width = Math.floor(els.chart.clientWidth);
  const top = els.chart.getBoundingClientRect().top;
  const height = Math.min(720, Math.max(200, Math.floor(window.innerHeight - top - 110)));
  chart.resize(width, height);
  scheduleRender();
}).observe(document.body);

// The countdown and "so far" texts move between samples.
window.setInterval(() => {
  if (model.state === 'running' || (notice && notice.until < Date.now() + 1000)) scheduleRender();
}, 1000);

restoreState();
render();
post({ type: 'ready' });
