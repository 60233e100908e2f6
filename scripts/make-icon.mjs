// Draws the extension icon (images/icon.png, 128×128): a magnifying lens over a drop on the
// gallery banner's colour. Run `node scripts/make-icon.mjs` after changing it; the PNG is committed
// so packaging needs no image tools.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;
const SUPERSAMPLE = 4; // 4×4 samples per pixel give smooth (anti-aliased) edges

const BACKGROUND = [0x1b, 0x26, 0x31];
const LENS = [0x5d, 0xad, 0xe2];
const DROP = [0xf5, 0xb0, 0x41];

/** Distance from point p to segment a–b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function insideRoundedSquare(x, y, margin, radius) {
  const cx = Math.min(Math.max(x, margin + radius), SIZE - margin - radius);
  const cy = Math.min(Math.max(y, margin + radius), SIZE - margin - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

function insideLens(x, y) {
  const r = Math.hypot(x - 54, y - 54);
  const ring = r >= 27 && r <= 36;
  const handle = segmentDistance(x, y, 81, 81, 106, 106) <= 7;
  return ring || handle;
}

function insideDrop(x, y) {
  // A circle with a pointed top: the union of a disc and the triangle tangent to it.
  const cx = 54;
  const cy = 61;
  const r = 12;
  if (Math.hypot(x - cx, y - cy) <= r) return true;
  const tipY = 36;
  if (y < tipY || y > cy) return false;
  const halfWidth = (r * (y - tipY)) / (cy - tipY);
  return Math.abs(x - cx) <= halfWidth;
}

/** The colour at a sample point, or undefined for transparent. */
function colourAt(x, y) {
  if (!insideRoundedSquare(x, y, 4, 22)) return undefined;
  if (insideLens(x, y)) return LENS;
  if (insideDrop(x, y)) return DROP;
  return BACKGROUND;
}

const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // leading 0: PNG filter type "None"
  for (let px = 0; px < SIZE; px++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let covered = 0;
    for (let sy = 0; sy < SUPERSAMPLE; sy++) {
      for (let sx = 0; sx < SUPERSAMPLE; sx++) {
        const c = colourAt(px + (sx + 0.5) / SUPERSAMPLE, py + (sy + 0.5) / SUPERSAMPLE);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        covered++;
      }
    }
    const o = 1 + px * 4;
    if (covered > 0) {
      row[o] = Math.round(r / covered);
      row[o + 1] = Math.round(g / covered);
      row[o + 2] = Math.round(b / covered);
      row[o + 3] = Math.round((255 * covered) / SUPERSAMPLE ** 2);
    }
  }
  rows.push(row);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bits per channel
header[9] = 6; // colour type RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);

const out = join(import.meta.dirname, '..', 'images', 'icon.png');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
