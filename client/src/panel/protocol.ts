// The messages between the extension and the memory panel's webview, and the data they carry.
// Shared by both sides (no `vscode`, no DOM). What the webview sends is checked before use: a
// webview is a web page, and the extension acts on its messages (saves files, stops runs).
import type { Severity, Shape, Trend, Verdict } from '../monitor/analysis/series';
import type { RunError, StopInfo } from '../monitor/types';
import type { ProbeView } from '../probe/evidence';

export type SessionMode = 'detect' | 'attach';

/**
 * `restored`: samples from before a window reload, nothing attached; `failed`: the target could
 * not be watched at all.
 */
export type PanelState = 'starting' | 'running' | 'paused' | 'stopped' | 'restored' | 'failed';

export interface TargetView {
  /**
   * `logs`: a run read from log files (`Analyze Log File…`); `prometheus`: series of a Prometheus
   * server (`Attach to Prometheus…`). Neither is re-attached with the panel's button.
   */
  kind: 'pid' | 'url' | 'logs' | 'prometheus';
  /** "PID 1234" or the URL. */
  title: string;
  /** The command line (PID) or "Prometheus metrics" (URL). */
  detail: string;
}

export interface ProcessMeta {
  id: string;
  pid?: number;
  label: string;
  root: boolean;
  firstT: number;
  exitedT?: number;
}

export interface SnapshotSeries extends ProcessMeta {
  t: number[];
  rss: number[];
}

/** What the panel shows about the verdict; `final` once the run has ended. */
export interface AnalysisView {
  verdict: Verdict;
  severity: Severity;
  shape: Shape;
  reason: string;
  growthMBPerMin: number;
  r2: number;
  warmupSeconds: number;
  judgedFromT: number;
  observedSeconds: number;
  sampleCount: number;
  trend?: Trend;
  /** Whose RSS the trend line fits: the total, or one process (a leaking worker). */
  trendOf: { kind: 'total' } | { kind: 'process'; id: string; label: string };
  leakingIds: string[];
  final: boolean;
}

/** An event drawn on the chart (from a log: an OOM kill, a restart…); clicking it opens the line. */
export interface PanelMarker {
  /** Seconds, on the samples' axis. */
  t: number;
  kind: string;
  /** One line for a tooltip or the status area. */
  label: string;
  file: string;
  /** 1-based. */
  line: number;
}

export interface PanelSnapshot {
  sessionId: string;
  mode: SessionMode;
  state: PanelState;
  target: TargetView;
  followChildren: boolean;
  intervalSeconds: number;
  durationSeconds?: number;
  /** Epoch ms of the first sample (for clock times in the legend). */
  startedAt?: number;
  /** Sample times (s since the first sample) and the total RSS (bytes) at each. */
  t: number[];
  rss: number[];
  processes: SnapshotSeries[];
  analysis?: AnalysisView;
  errors: RunError[];
  stop?: StopInfo;
  /** Whether attaching is possible now (a trusted workspace). */
  canAttach: boolean;
  markers?: PanelMarker[];
}

export type ExtensionMessage =
  | { type: 'reset'; snapshot: PanelSnapshot | null; canAttach: boolean }
  | {
      type: 'append';
      sessionId: string;
      t: number;
      rss: number;
      /** [series id, rss] of every process read at this tick. */
      procs: [string, number][];
      /** Series seen for the first time at this tick. */
      added?: ProcessMeta[];
      /** Series found gone at this tick. */
      exited?: { id: string; t: number }[];
    }
  | { type: 'analysis'; sessionId: string; analysis: AnalysisView }
  | { type: 'state'; sessionId: string; state: PanelState; stop?: StopInfo; errors: RunError[] }
  /** A line for the status area ("Saved …", "Could not save …"). */
  | { type: 'notice'; text: string; level: 'info' | 'error' }
  /** What an attached probe says is growing (issue 10); null once detached. */
  | { type: 'probe'; view: ProbeView | null };

export type ExportFormat = 'csv' | 'json';

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'detach' }
  /** Attach again to the target of the run shown (after a reload or a detach). */
  | { type: 'reattach' }
  /** Pick a target and attach (the empty panel's button). */
  | { type: 'attach' }
  | { type: 'export'; format: ExportFormat }
  | { type: 'exportPng'; dataUrl: string }
  /** An error inside the webview script, for the extension's log. */
  | { type: 'error'; message: string }
  /** A marker was clicked: open its log file at its line (checked against the run's files). */
  | { type: 'openLocation'; file: string; line: number }
  /** Open a growing line the probe reported (the extension checks it is one). */
  | { type: 'openGrowingLine'; path: string; line: number };

const SIMPLE = new Set(['ready', 'pause', 'resume', 'detach', 'reattach', 'attach']);
/** A PNG of a chart is a few hundred KB; anything much bigger is not ours. */
const MAX_DATA_URL = 64 * 1024 * 1024;

/** Checks a message from the webview; undefined for anything that is not one of ours. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.type !== 'string') return undefined;
  if (SIMPLE.has(m.type)) return { type: m.type } as WebviewMessage;
  if (m.type === 'export')
    return m.format === 'csv' || m.format === 'json' ? { type: 'export', format: m.format } : undefined;
  if (m.type === 'exportPng') {
    return typeof m.dataUrl === 'string' &&
      m.dataUrl.startsWith('data:image/png;base64,') &&
      m.dataUrl.length <= MAX_DATA_URL
      ? { type: 'exportPng', dataUrl: m.dataUrl }
      : undefined;
  }
  if (m.type === 'error') return { type: 'error', message: String(m.message ?? '').slice(0, 2000) };
  if (m.type === 'openLocation') {
    return typeof m.file === 'string' &&
      m.file.length > 0 &&
      m.file.length <= 4096 &&
      Number.isInteger(m.line) &&
      (m.line as number) >= 1
      ? { type: 'openLocation', file: m.file, line: m.line as number }
      : undefined;
  }
  if (m.type === 'openGrowingLine')
    return typeof m.path === 'string' && Number.isInteger(m.line) && (m.line as number) > 0
      ? { type: 'openGrowingLine', path: m.path, line: m.line as number }
      : undefined;
  return undefined;
}
