// What one log line says: its time, the process it is about, a memory figure and/or an event.
// One parser per file: it remembers the last time seen (a traceback line or a `ps` row carries
// none of its own), a `ps`/`top` table's header, and the year syslog leaves out.
import { type EventMatch, matchEvent } from './events';
import { memoryFromJson, memoryFromText, type TableLayout, tableHeader, tableRow } from './figures';
import { TimeContext } from './time';

export interface ParsedLine {
  /** Epoch seconds: the line's own time, else (events, table rows) the last time seen in the file. */
  time?: number;
  pid?: number;
  /** Program or command, when the line names one (syslog tag, `ps` command, JSON field). */
  name?: string;
  rss?: number;
  event?: EventMatch;
  /** A memory figure was found but the line has no time of its own to place it. */
  untimedFigure?: boolean;
  /** The line looked like JSON but did not parse. */
  badJson?: boolean;
  /** The header of a `ps`/`top` table (its rows follow). */
  tableHeader?: boolean;
}

const PID_IN_TEXT: RegExp[] = [
  /\bpid[=:]\s*"?(\d+)/i,
  /^\[[^\]]{8,40}\]\s+\[(\d+)\]/, // gunicorn: [2024-05-01 12:00:00 +0000] [1234] [INFO]
  /(?:^|\s)[\w./-]+\[(\d+)\]:/, // syslog: app[1234]:
  /\bprocess \[(\d+)\]/i, // uvicorn: Started server process [1234]
  /\bPID\s+(\d+)\b/,
];
const SYSLOG_TAG = /(?:^|\s)([\w.-]+)\[\d+\]:/;

function pidFromText(text: string): number | undefined {
  for (const re of PID_IN_TEXT) {
    const m = re.exec(text);
    if (m) {
      const pid = Number(m[1]);
      if (pid > 0 && pid < 2 ** 31) return pid;
    }
  }
  return undefined;
}

const TIME_FIELDS = ['time', 'timestamp', '@timestamp', 'ts', 'asctime', 'created', 'datetime', 'date', 't'];
const PID_FIELDS = ['pid', 'process', 'process_id', 'processid', 'proc_id'];
const NAME_FIELDS = ['processname', 'process_name', 'comm', 'service', 'app'];
const TEXT_FIELDS = ['log', 'message', 'msg', 'event'];

function field(record: Record<string, unknown>, names: string[]): unknown {
  for (const [key, value] of Object.entries(record)) {
    if (names.includes(key.toLowerCase())) return value;
  }
  return undefined;
}

export class LineParser {
  readonly time: TimeContext;
  private lastTime: number | undefined;
  private table: TableLayout | undefined;

  constructor(fileEnd?: Date) {
    this.time = new TimeContext(fileEnd);
  }

  parse(line: string): ParsedLine {
    const trimmed = line.trimStart();
    const brace = trimmed.indexOf('{');
    if (brace >= 0 && brace < 80 && trimmed.trimEnd().endsWith('}')) {
      const json = this.parseJson(trimmed.slice(brace), trimmed.slice(0, brace));
      if (json) return json;
      if (brace === 0) return { badJson: true };
    } else if (brace === 0) {
      return { badJson: true }; // `{"rss": 51` — a record cut short; never read a half number
    }

    const header = tableHeader(line);
    if (header) {
      this.table = header;
      return { tableHeader: true };
    }
    if (this.table) {
      const row = tableRow(line, this.table);
      if (row) return { time: this.lastTime, pid: row.pid, name: row.command, rss: row.rss };
      this.table = undefined;
    }
    const own = this.time.parse(line);
    if (own !== undefined) this.lastTime = own;
    const rss = memoryFromText(line);
    const event = matchEvent(line);
    if (rss === undefined && !event) return { time: own };
    const pid = pidFromText(line);
    const name = SYSLOG_TAG.exec(line)?.[1];
    if (rss !== undefined && own === undefined) {
      return { untimedFigure: true, event, pid, name, time: event ? this.lastTime : undefined };
    }
    return { time: own ?? this.lastTime, pid, name, rss, event };
  }

  private parseJson(text: string, prefix: string): ParsedLine | undefined {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) return undefined;
    const rec = record as Record<string, unknown>;
    const inner = field(rec, TEXT_FIELDS);
    const innerText = typeof inner === 'string' ? inner : '';
    let own = this.time.parseValue(field(rec, TIME_FIELDS));
    if (own === undefined && prefix) own = this.time.parse(prefix);
    if (own === undefined && innerText) own = this.time.parse(innerText);
    if (own !== undefined) this.lastTime = own;
    const rss = memoryFromJson(rec) ?? (innerText ? memoryFromText(innerText) : undefined);
    const event = matchEvent(innerText || text);
    const pidValue = field(rec, PID_FIELDS);
    const pid =
      typeof pidValue === 'number' && Number.isInteger(pidValue) && pidValue > 0
        ? pidValue
        : typeof pidValue === 'string' && /^\d+$/.test(pidValue)
          ? Number(pidValue)
          : innerText
            ? pidFromText(innerText)
            : undefined;
    const nameValue = field(rec, NAME_FIELDS);
    const name = typeof nameValue === 'string' && nameValue ? nameValue : undefined;
    if (rss !== undefined && own === undefined) {
      return { untimedFigure: true, event, pid, name, time: event ? this.lastTime : undefined };
    }
    return { time: own ?? this.lastTime, pid, name, rss, event };
  }
}
