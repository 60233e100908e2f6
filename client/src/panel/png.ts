// The chart image the webview sends (`canvas.toDataURL('image/png')`), checked before it is
// written to disk: it must decode to a PNG.
const PREFIX = 'data:image/png;base64,';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The bytes of a `data:image/png;base64,…` URL, or undefined when it does not hold a PNG. */
export function pngBytes(dataUrl: string): Uint8Array | undefined {
  if (!dataUrl.startsWith(PREFIX)) return undefined;
  const bytes = Buffer.from(dataUrl.slice(PREFIX.length), 'base64');
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
