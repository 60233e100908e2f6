/// <reference lib="dom" />
// The memory panel's "Where" section (issue 10): what an attached probe says is growing — source
// lines (click to open), object types — and the endpoints ranked by the memory a request keeps.
// Built with DOM calls and textContent only: nothing the probe sends is parsed as HTML.
import type { ProbeView } from '../../probe/evidence';
import type { WebviewMessage } from '../protocol';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function size(bytes: number): string {
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? '-' : '+';
  if (abs < 1024) return `${sign}${Math.round(abs)} B`;
  if (abs < 1024 * 1024) return `${sign}${(abs / 1024).toFixed(1)} KB`;
  return `${sign}${(abs / 1024 / 1024).toFixed(1)} MB`;
}

function table(headers: string[], rows: HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return el('p', empty, 'probe-empty');
  const t = el('table', undefined, 'probe-table');
  const head = el('tr');
  for (const h of headers) head.append(el('th', h));
  t.append(head, ...rows);
  return t;
}

function row(...cells: (string | HTMLElement)[]): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) {
    const td = el('td');
    td.append(c);
    tr.append(td);
  }
  return tr;
}

export function renderProbeSection(view: ProbeView | null, post: (m: WebviewMessage) => void): void {
  let section = document.getElementById('probe');
  if (!view) {
    section?.remove();
    return;
  }
  if (!section) {
    section = el('section', undefined, 'probe');
    section.id = 'probe';
    (document.getElementById('app') ?? document.body).append(section);
  }
  const title = el('h2', `Where (probe at ${view.source})`);
  const status = el(
    'p',
    view.error
      ? `Last read failed: ${view.error}`
      : `Read at ${new Date(view.updatedAt).toLocaleTimeString()}`,
    view.error ? 'probe-error' : 'probe-status',
  );
  const lines = view.lines.map((l) => {
    const link = el('a', `${l.file}:${l.line}`);
    link.href = '#';
    link.dataset.path = l.path;
    link.dataset.line = String(l.line);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      post({ type: 'openGrowingLine', path: l.path, line: l.line });
    });
    return row(link, size(l.deltaBytes), size(l.sizeBytes).slice(1), String(l.count));
  });
  const types = view.types.map((t) => row(t.type, `+${t.delta}`, String(t.count)));
  const endpoints = view.endpoints.map((e) =>
    row(
      `${e.method} ${e.route}`,
      `${size(e.meanDeltaBytes)}/req`,
      String(e.requests),
      size(e.totalDeltaBytes),
    ),
  );
  section.replaceChildren(
    title,
    status,
    el('h3', `Growing lines (rising across the last ${Math.round(view.windowSeconds)} s)`),
    table(['line', 'growth', 'held', 'blocks'], lines, 'No line is growing.'),
    el('h3', 'Growing object types'),
    table(['type', 'growth', 'live'], types, 'No object type is growing.'),
    el('h3', 'Endpoints by memory kept per request'),
    table(['endpoint', 'kept', 'requests', 'total'], endpoints, 'No request measured yet.'),
  );
}
