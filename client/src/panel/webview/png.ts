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
  const width = chart.width + 2 * pad;
  const legendFont = `${Math.round(12 * ratio)}px ${theme.fontFamily}`;

  // Legend entries flow onto as many lines as the width needs.
  const measure = document.createElement('canvas').getContext('2d');
  if (!measure) throw new Error('no 2D canvas context');
  measure.font = legendFont;
  const rows: { entry: PngLabels['legend'][number]; x: number }[][] = [[]];
  let x = pad;
  for (const entry of labels.legend) {
    const w = 24 * ratio + measure.measureText(entry.label).width + 16 * ratio;
    if (x + w > width - pad && rows[rows.length - 1].length > 0) {
      rows.push([]);
      x = pad;
    }
    rows[rows.length - 1].push({ entry, x });
    x += w;
  }
  const footer = rows.length * line + pad;

  const out = document.createElement('canvas');
  out.width = width;
  out.height = chart.height + header + footer + line / 2;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'top';
  ctx.fillStyle = theme.foreground;
  ctx.font = `600 ${Math.round(14 * ratio)}px ${theme.fontFamily}`;
  ctx.fillText(labels.title, pad, pad, width - 2 * pad);
  ctx.fillStyle = theme.muted;
  ctx.font = legendFont;
  ctx.fillText(labels.subtitle, pad, pad + line, width - 2 * pad);
  ctx.drawImage(chart, pad, header);
  rows.forEach((row, r) => {
    const y = header + chart.height + line / 2 + r * line;
    for (const { entry, x: left } of row) {
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash(entry.dashed ? [6 * ratio, 4 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(left, y + 7 * ratio);
      ctx.lineTo(left + 18 * ratio, y + 7 * ratio);
      ctx.stroke();
      ctx.fillStyle = theme.foreground;
      ctx.fillText(entry.label, left + 24 * ratio, y);
    }
  });
  return out.toDataURL('image/png');
}
