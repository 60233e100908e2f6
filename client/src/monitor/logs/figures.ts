// Memory figures in the shapes services log them: `rss=512MB`, `mem_mb=731.5`, `memory: 1.2 GiB`,
// `VmRSS: 123456 kB`, JSON fields (`"rss_bytes": 53477376`, `"memory": {"rss": "512MB"}`), and the
// RSS/RES column of `ps`/`top` tables. Units are binary (k = 1024, M = 2^20: "MB means MiB"
// everywhere in Leak Lens). A number with no unit, in neither the key nor after the value, is
// ambiguous: it counts as bytes only when it is at least 1 MiB (no Python process is smaller),
// otherwise the figure is skipped rather than guessed.

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 2 ** 20,
  mb: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gb: 2 ** 30,
  gib: 2 ** 30,
  t: 2 ** 40,
  tb: 2 ** 40,
  tib: 2 ** 40,
};

const MIB = 2 ** 20;

/** Bytes from a value and the units named by the key and after the value; undefined if ambiguous. */
export function toBytes(value: number, keyUnit?: string, valueUnit?: string): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const unit = (valueUnit ?? keyUnit)?.toLowerCase();
  if (unit !== undefined) {
    const factor = UNIT_BYTES[unit];
    return factor === undefined ? undefined : Math.round(value * factor);
  }
  return value >= MIB ? Math.round(value) : undefined;
}

// A memory key (rss, vmrss, resident_memory, memory, mem, memory_usage, …) with an optional unit
// suffix (`_mb`, `_bytes`, `MB`), then `=` or `:`, a number and an optional unit. The key must not
// be part of a longer word (`max_rss`, `vms`, `mem_percent` are other figures).
const KEY =
  '(?:vm)?rss|resident(?:[ _-]?(?:memory|set(?:[ _-]?size)?))?|mem(?:ory)?(?:[ _-]?(?:usage|used|rss|resident))?';
const KEY_UNIT = 'bytes|kib|kb|mib|mb|gib|gb|b|k|m|g';
const VALUE_UNIT = 'bytes|[kmgt]i?b|[kmgt]|b';
const KEY_VALUE = new RegExp(
  `(?<![\\w.%-])["']?(${KEY})(?:[ _-]?(${KEY_UNIT}))?["']?\\s*[:=]\\s*["']?(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)(?:\\s*(${VALUE_UNIT}))?(?![\\w%./])`,
  'gi',
);

/** Lines that describe the whole machine (`top`'s `KiB Mem :`, `free`'s `Mem:`), not a process. */
const MACHINE_SUMMARY = /^\s*(?:[KMGT]i?B\s+)?(?:Mem|Swap)\s*:/i;

function keyRank(key: string): number {
  const k = key.toLowerCase();
  if (k.includes('rss')) return 0;
  if (k.startsWith('resident')) return 1;
  return 2;
}

/** The memory figure in a line of text, in bytes, or undefined. RSS wins over a vaguer "memory". */
export function memoryFromText(text: string): number | undefined {
  if (MACHINE_SUMMARY.test(text)) return undefined;
  if (!/rss|mem|resident/i.test(text)) return undefined;
  let best: { rank: number; bytes: number } | undefined;
  KEY_VALUE.lastIndex = 0;
  for (let m = KEY_VALUE.exec(text); m; m = KEY_VALUE.exec(text)) {
    const bytes = toBytes(Number(m[3]), m[2], m[4]);
    if (bytes === undefined) continue;
    const rank = keyRank(m[1]);
    if (!best || rank < best.rank) best = { rank, bytes };
  }
  return best?.bytes;
}

/** `rss_mb` → {base: 'rss', unit: 'mb'}; names are compared without case, `_`, `-` or `.`. */
function splitKey(name: string): { base: string; unit?: string } {
  const flat = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const m = /^(.*?)(bytes|kib|kb|mib|mb|gib|gb)$/.exec(flat);
  return m && m[1] ? { base: m[1], unit: m[2] } : { base: flat };
}

const JSON_MEMORY_KEYS = new Map<string, number>([
  ['rss', 0],
  ['vmrss', 0],
  ['memoryrss', 0],
  ['memrss', 0],
  ['rssmemory', 0],
  ['residentmemory', 1],
  ['processresidentmemory', 1],
  ['residentsetsize', 1],
  ['resident', 1],
  ['memory', 2],
  ['mem', 2],
  ['memoryusage', 2],
  ['memusage', 2],
  ['memoryused', 2],
  ['memused', 2],
]);

/** A JSON value that is a size: a number, or a string such as "512MB" / "1.2 GiB". */
function sizeValue(value: unknown, keyUnit?: string): number | undefined {
  if (typeof value === 'number') return toBytes(value, keyUnit);
  if (typeof value !== 'string') return undefined;
  const m = new RegExp(`^\\s*(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)\\s*(${VALUE_UNIT})?\\s*$`, 'i').exec(value);
  return m ? toBytes(Number(m[1]), keyUnit, m[2]) : undefined;
}

/** The memory figure of a parsed JSON log record (fields up to two levels deep), in bytes. */
export function memoryFromJson(record: Record<string, unknown>): number | undefined {
  let best: { rank: number; bytes: number } | undefined;
  const visit = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [name, value] of Object.entries(obj)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        if (depth < 2) visit(value as Record<string, unknown>, `${prefix}${name}_`, depth + 1);
        continue;
      }
      const { base, unit } = splitKey(prefix + name);
      const rank = JSON_MEMORY_KEYS.get(base);
      if (rank === undefined) continue;
      const bytes = sizeValue(value, unit);
      if (bytes !== undefined && (!best || rank < best.rank)) best = { rank, bytes };
    }
  };
  visit(record, '', 0);
  return best?.bytes;
}

/** Columns of a `ps`/`top` table, found from its header line. */
export interface TableLayout {
  pidColumn: number;
  memColumn: number;
  /** `ps` RSS is in KiB; `top` RES is KiB unless suffixed (`1.2g`, `512m`). */
  commandColumn: number | undefined;
  columns: number;
}

/** A `ps`/`top` header (`PID … RSS … COMMAND`, `PID USER … RES …`), or undefined. */
export function tableHeader(line: string): TableLayout | undefined {
  if (!/\bPID\b/.test(line) || !/\b(?:RSS|RES)\b/.test(line)) return undefined;
  const cols = line.trim().split(/\s+/);
  const pidColumn = cols.indexOf('PID');
  let memColumn = cols.indexOf('RSS');
  if (memColumn < 0) memColumn = cols.indexOf('RES');
  if (pidColumn < 0 || memColumn < 0) return undefined;
  const cmd = cols.findIndex((c) => /^(?:COMMAND|CMD|ARGS|COMM)$/.test(c));
  return { pidColumn, memColumn, commandColumn: cmd >= 0 ? cmd : undefined, columns: cols.length };
}

/** One row of a table: PID, RSS in bytes and the command, or undefined when the table has ended. */
export function tableRow(
  line: string,
  layout: TableLayout,
): { pid: number; rss: number; command?: string } | undefined {
  const cols = line.trim().split(/\s+/);
  const last = layout.commandColumn ?? layout.columns - 1;
  if (cols.length < Math.max(layout.pidColumn, layout.memColumn, last) + 1) return undefined;
  const pidText = cols[layout.pidColumn];
  if (!/^\d+$/.test(pidText)) return undefined;
  const mem = /^(\d+(?:\.\d+)?)([kmgt])?$/i.exec(cols[layout.memColumn]);
  if (!mem) return undefined;
  const rss = toBytes(Number(mem[1]), 'k', mem[2]);
  if (rss === undefined) return undefined;
  const command = layout.commandColumn !== undefined ? cols.slice(layout.commandColumn).join(' ') : undefined;
  return { pid: Number(pidText), rss, command };
}
