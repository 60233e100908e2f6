/// <reference lib="dom" />
// "Export PNG": the chart's canvas with a title, the verdict line and a legend, on the theme's
// background (a transparent PNG is unreadable in a dark ticket tracker). Drawn here, in the
// webview, and sent to the extension as a data URL; the extension saves it.
import type { ChartTheme } from './theme';

export interface PngLabels {
  title: string;
  subtitle: string;
  legend: { label: string; color: string; dashed: boolean }[];
}

export function chartPng(chart: HTMLCanvasElement, theme: ChartTheme, labels: PngLabels): string {
  const ratio = window.devicePixelRatio || 1;
  const pad = 12 * ratio;
  const line = 18 * ratio;
  const header = pad + 2 * line;
  const footer = line + pad;
  const out = document.createElement('canvas');
  out.width = chart.width + 2 * pad;
  out.height = chart.height + header + footer;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'top';
  ctx.fillStyle = theme.foreground;
  ctx.font = `600 ${Math.round(14 * ratio)}px ${theme.fontFamily}`;
  ctx.fillText(labels.title, pad, pad, out.width - 2 * pad);
  ctx.fillStyle = theme.muted;
  ctx.font = `${Math.round(12 * ratio)}px ${theme.fontFamily}`;
  ctx.fillText(labels.subtitle, pad, pad + line, out.width - 2 * pad);
  ctx.drawImage(chart, pad, header);
  let x = pad;
  const y = header + chart.height + line / 2;
  for (const entry of labels.legend) {
    ctx.strokeStyle = entry.color;
    ctx.lineWidth = 2 * ratio;
    ctx.setLineDash(entry.dashed ? [6 * ratio, 4 * ratio] : []);
    ctx.beginPath();
    ctx.moveTo(x, y + 6 * ratio);
    ctx.lineTo(x + 18 * ratio, y + 6 * ratio);
    ctx.stroke();
    x += 24 * ratio;
    ctx.fillStyle = theme.foreground;
    ctx.fillText(entry.label, x, y);
    x += ctx.measureText(entry.label).width + 16 * ratio;
    if (x > out.width - pad) break;
  }
  return out.toDataURL('image/png');
}
