// Theme colours for chart lines. Some `--vscode-charts-*` values are translucent (Dark Modern's
// charts.orange is `rgba(234, 92, 0, 0.33)`): fine for a filled area, too faint for a 1.5 px line.
// Lines get the colour at full opacity.

/** The colour without its alpha (`#rgb[a]`, `#rrggbb[aa]`, `rgb[a](…)`); anything else unchanged. */
export function opaque(color: string): string {
  const c = color.trim();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(c);
  if (hex) {
    const h = hex[1];
    if (h.length === 4) return `#${h.slice(0, 3)}`;
    if (h.length === 8) return `#${h.slice(0, 6)}`;
    return c;
  }
  const fn = /^rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:\s*[,/]\s*[\d.]+%?)?\s*\)$/i.exec(c);
  if (fn) return `rgb(${fn[1]}, ${fn[2]}, ${fn[3]})`;
  return c;
}
