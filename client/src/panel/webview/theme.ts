/// <reference lib="dom" />
// Chart colours from the VS Code theme (`--vscode-*` CSS variables, set by VS Code on the webview's
// <html>), re-read when the theme changes (VS Code swaps the body's `vscode-light` /
// `vscode-dark` / `vscode-high-contrast` classes).
import type { Verdict } from '../../monitor/analysis/series';
import { opaque } from '../colors';

export interface ChartTheme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  total: string;
  processes: string[];
  warmup: string;
  verdict: Record<Verdict, string>;
  font: string;
  fontFamily: string;
  /** Line width of the total; processes use two thirds of it. */
  lineWidth: number;
}

function cssVar(style: CSSStyleDeclaration, names: string[], fallback: string): string {
  for (const name of names) {
    const value = style.getPropertyValue(name).trim();
    if (value) return value;
  }
  return fallback;
}

export function themeKind(body: HTMLElement): ChartTheme['kind'] {
  if (body.classList.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (body.classList.contains('vscode-high-contrast')) return 'high-contrast';
  return body.classList.contains('vscode-light') ? 'light' : 'dark';
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const kind = themeKind(document.body);
  const light = kind === 'light' || kind === 'high-contrast-light';
  const v = (names: string[], fallback: string) => cssVar(style, names, fallback);
  const foreground = v(['--vscode-foreground', '--vscode-editor-foreground'], light ? '#3b3b3b' : '#cccccc');
  const fontFamily = v(['--vscode-font-family'], 'system-ui, sans-serif');
  const fontSize = Number.parseFloat(v(['--vscode-font-size'], '13px')) || 13;
  // Lines and labels at full opacity (some themes give translucent chart colours).
  const line = (names: string[], fallback: string) => opaque(v(names, fallback));
  const red = line(['--vscode-charts-red'], light ? '#e51400' : '#f14c4c');
  const orange = line(['--vscode-charts-orange'], '#d18616');
  const yellow = line(['--vscode-charts-yellow'], light ? '#bf8803' : '#cca700');
  const green = line(['--vscode-charts-green'], light ? '#388a34' : '#89d185');
  const blue = line(['--vscode-charts-blue'], light ? '#1a85ff' : '#3794ff');
  const purple = line(['--vscode-charts-purple'], light ? '#652d90' : '#b180d7');
  const muted = line(['--vscode-descriptionForeground'], light ? '#717171' : '#9d9d9d');
  return {
    kind,
    foreground,
    muted,
    background: v(['--vscode-editor-background'], light ? '#ffffff' : '#1e1e1e'),
    grid: v(
      ['--vscode-editorWidget-border', '--vscode-panel-border', '--vscode-widget-border'],
      light ? '#c8c8c8' : '#454545',
    ),
    total: blue,
    // The first workers get colours no verdict uses (the trend line is red, orange or green).
    processes: [purple, yellow, green, orange, red, foreground],
    // Neutral: the warm-up is set aside, not a warning.
    warmup: muted,
    verdict: { 'rapid-leak': red, 'slow-leak': orange, 'no-leak': green, inconclusive: muted },
    font: `${Math.round(fontSize * 0.9)}px ${fontFamily}`,
    fontFamily,
    lineWidth: kind.startsWith('high-contrast') ? 2.5 : 2,
  };
}
