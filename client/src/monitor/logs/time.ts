// Timestamps as logs write them, to epoch seconds. ISO 8601 (also Python logging's
// `2024-05-01 12:00:00,123`, gunicorn's `[2024-05-01 12:00:00 +0000]`, Celery's
// `[2024-05-01 12:00:00,123: INFO/MainProcess]`), syslog (`May  1 12:00:00`, no year), Django's
// runserver and the access-log form (`[01/May/2024 12:00:00]`, `[01/May/2024:12:00:00 +0000]`),
// `date` and `dmesg -T` output, and epoch seconds or milliseconds. A time without a zone is read
// as UTC: only differences between samples matter, and a file keeps one zone.

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};
const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

const ISO =
  /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:\s?(Z|[+-]\d{2}(?::?\d{2})?)(?![\d:]))?/;
const SYSLOG = new RegExp(
  `^(?:<\\d{1,3}>)?${MON} {1,2}(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?`,
);
const DATE_CMD = new RegExp(
  `^\\[?(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MON} {1,2}(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (?:([A-Z]{2,5}) )?(\\d{4})\\]?`,
);
const CLF = new RegExp(`\\[(\\d{1,2})/${MON}/(\\d{4})[: ](\\d{2}):(\\d{2}):(\\d{2})(?: ([+-]\\d{4}))?\\]`);
const EPOCH_START = /^\[?(\d{10}(?:\.\d{1,9})?|\d{13}(?:\.\d{1,6})?)\]?(?=[\s,;|]|$)/;
const EPOCH_KEY = /\b(?:ts|time|timestamp|epoch|created)=(\d{10}(?:\.\d{1,9})?|\d{13})\b/;
const TOP = /^top - (\d{2}):(\d{2}):(\d{2}) up\b/;

/** Seconds east of UTC for `Z`, `+02:00`, `+0200`, `-05`. */
function offsetSeconds(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return 0;
  const s = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60;
  return m[1] === '-' ? -s : s;
}

function fraction(digits: string | undefined): number {
  return digits ? Number(`0.${digits}`) : 0;
}

function utc(year: number, month: number, day: number, h: number, m: number, s: number): number {
  return Date.UTC(year, month, day, h, m, s) / 1000;
}

/** Epoch seconds from a number that is seconds (10 digits) or milliseconds (13 digits). */
export function epochFromNumber(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value >= 1e12 && value < 1e14) return value / 1000;
  if (value >= 1e8 && value < 1e11) return value;
  return undefined;
}

/**
 * Per-file context: syslog lines carry no year, `top` only a time of day. The year comes from the
 * file's modification time (the end of the file), stepped on when the months wrap past December.
 */
export class TimeContext {
  private year: number;
  private lastMonth: number | undefined;
  /** Midnight (epoch seconds) of the day the last absolute time fell on. */
  private day: number | undefined;
  private lastTopSeconds: number | undefined;

  constructor(private readonly fileEnd: Date = new Date()) {
    this.year = fileEnd.getUTCFullYear();
  }

  private syslogYear(month: number): number {
    if (this.lastMonth === undefined) {
      // The first line: a month later than the file's end lies in the year before.
      if (month > this.fileEnd.getUTCMonth()) this.year -= 1;
    } else if (month < this.lastMonth - 6) this.year += 1; // December → January
    this.lastMonth = month;
    return this.year;
  }

  private remember(epoch: number): number {
    this.day = Math.floor(epoch / 86400) * 86400;
    return epoch;
  }

  /** The time a line starts with (or carries as `ts=`), or undefined. */
  parse(line: string): number | undefined {
    const head = line.length > 200 ? line.slice(0, 200) : line;
    let m = ISO.exec(head);
    if (m && m.index <= 60) {
      const t = utc(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + fraction(m[7]) - offsetSeconds(m[8]);
      return Number.isFinite(t) ? this.remember(t) : undefined;
    }
    m = SYSLOG.exec(head);
    if (m) {
      const month = MONTHS[m[1].toLowerCase()];
      return this.remember(utc(this.syslogYear(month), month, +m[2], +m[3], +m[4], +m[5]) + fraction(m[6]));
    }
    m = DATE_CMD.exec(head);
    if (m) {
      const month = MONTHS[m[1].toLowerCase()];
      return this.remember(utc(+m[7], month, +m[2], +m[3], +m[4], +m[5]));
    }
    m = CLF.exec(head);
    if (m && m.index <= 60) {
      const month = MONTHS[m[2].toLowerCase()];
      return this.remember(utc(+m[3], month, +m[1], +m[4], +m[5], +m[6]) - offsetSeconds(m[7]));
    }
    m = EPOCH_START.exec(head) ?? EPOCH_KEY.exec(head);
    if (m) {
      const t = epochFromNumber(Number(m[1]));
      if (t !== undefined) return this.remember(t);
    }
    m = TOP.exec(head);
    if (m) {
      // `top -b` gives the time of day only: place it on the last known day, and step to the next
      // day when the clock wraps past midnight.
      const seconds = +m[1] * 3600 + +m[2] * 60 + +m[3];
      if (this.day === undefined) this.day = 0;
      else if (this.lastTopSeconds !== undefined && seconds < this.lastTopSeconds) this.day += 86400;
      this.lastTopSeconds = seconds;
      return this.day + seconds;
    }
    return undefined;
  }

  /** A time written as a value (a JSON field): a number of seconds/milliseconds or a date string. */
  parseValue(value: unknown): number | undefined {
    if (typeof value === 'number') {
      const t = epochFromNumber(value);
      return t === undefined ? undefined : this.remember(t);
    }
    if (typeof value === 'string') {
      if (/^\d+(?:\.\d+)?$/.test(value)) return this.parseValue(Number(value));
      return this.parse(value);
    }
    return undefined;
  }
}
