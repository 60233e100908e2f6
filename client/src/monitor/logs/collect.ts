// Reads log files into per-process memory series and a list of events, counting what it
// understood. Memory stays bounded whatever the size of the logs: series are thinned
// (SeriesStore), events beyond MAX_EVENTS are counted but not kept, lines are streamed.
import type { EventKind } from './events';
import { LineParser } from './line-parser';
import { LogReadError, readLines, statLog } from './reader';
import { type LogPoint, SeriesStore } from './series-store';

export const MAX_EVENTS = 5000;
export const MAX_SERIES = 5000;
const EVENT_TEXT_CHARS = 300;

export interface LogEvent {
  /** Epoch seconds (the line's own time or the last one before it in its file), if any. */
  time?: number;
  kind: EventKind;
  pid?: number;
  /** Index into the files. */
  file: number;
  line: number;
  text: string;
  /** A line saying a process started (after others were logged), as opposed to a kill or recycle. */
  start?: boolean;
}

export interface FileSummary {
  path: string;
  bytes: number;
  lines: number;
  /** Lines that gave a memory figure, an event or a `ps`/`top` table header. */
  understood: number;
  memoryFigures: number;
  events: number;
  /** Memory figures on lines with no time of their own (they cannot be placed on a time axis). */
  untimedFigures: number;
  badJson: number;
  damagedLines: number;
  /** The last line had no newline and was not understood: the file may be cut short. */
  truncatedLastLine: boolean;
  /** Why the file could not be read (fully): the lines before it were kept. */
  error?: string;
}

export interface CollectedSeries {
  key: string;
  pid?: number;
  name?: string;
  store: SeriesStore;
}

export interface CollectedLogs {
  files: FileSummary[];
  series: CollectedSeries[];
  /** Kept events in the order read (at most MAX_EVENTS). */
  events: LogEvent[];
  /** Every event read, per kind (kept or not). */
  eventCounts: Record<EventKind, number>;
  eventsDropped: number;
  /** Figures of processes past MAX_SERIES. */
  figuresDropped: number;
}

export interface CollectProgress {
  file: string;
  bytesRead: number;
  totalBytes: number;
  lines: number;
}

export async function collectLogs(
  paths: readonly string[],
  onProgress?: (p: CollectProgress) => void,
  signal?: AbortSignal,
): Promise<CollectedLogs> {
  const files: FileSummary[] = [];
  const stats = paths.map((path) => {
    try {
      return statLog(path);
    } catch (err) {
      if (err instanceof LogReadError) return err;
      throw err;
    }
  });
  const totalBytes = stats.reduce((sum, s) => sum + (s instanceof LogReadError ? 0 : s.size), 0);
  const seriesByKey = new Map<string, CollectedSeries>();
  const events: LogEvent[] = [];
  const eventCounts: Record<EventKind, number> = {
    'oom-kill': 0,
    'worker-killed': 0,
    'memory-error': 0,
    restart: 0,
  };
  let eventsDropped = 0;
  let figuresDropped = 0;
  let doneBytes = 0;
  let totalLines = 0;

  for (let index = 0; index < paths.length; index++) {
    const path = paths[index];
    const st = signal?.aborted ? new LogReadError(`${path}: not read (cancelled).`) : stats[index];
    const summary: FileSummary = {
      path,
      bytes: st instanceof LogReadError ? 0 : st.size,
      lines: 0,
      understood: 0,
      memoryFigures: 0,
      events: 0,
      untimedFigures: 0,
      badJson: 0,
      damagedLines: 0,
      truncatedLastLine: false,
    };
    files.push(summary);
    if (st instanceof LogReadError) {
      summary.error = st.message;
      continue;
    }
    const parser = new LineParser(st.mtime);
    let active = false; // something was logged before: a "started" line is then a restart
    let lastReport = 0;
    try {
      await readLines(
        path,
        (info) => {
          summary.lines++;
          totalLines++;
          if (info.damaged) summary.damagedLines++;
          const parsed = parser.parse(info.text);
          let understood = !!parsed.tableHeader;
          if (parsed.badJson) summary.badJson++;
          if (parsed.untimedFigure) {
            summary.untimedFigures++;
            understood = true;
          }
          if (parsed.rss !== undefined && parsed.time !== undefined) {
            understood = true;
            summary.memoryFigures++;
            const key = parsed.pid !== undefined ? `pid:${parsed.pid}` : `name:${parsed.name ?? ''}`;
            let series = seriesByKey.get(key);
            if (!series && seriesByKey.size < MAX_SERIES) {
              series = { key, pid: parsed.pid, name: parsed.name, store: new SeriesStore() };
              seriesByKey.set(key, series);
            }
            if (series) {
              series.name ??= parsed.name;
              const point: LogPoint = { time: parsed.time, rss: parsed.rss, file: index, line: info.number };
              series.store.add(point);
            } else figuresDropped++;
          }
          const ev = parsed.event;
          if (ev && (ev.kind !== 'start' || active)) {
            understood = true;
            summary.events++;
            const kind: EventKind = ev.kind === 'start' ? 'restart' : ev.kind;
            eventCounts[kind]++;
            if (events.length < MAX_EVENTS) {
              const text = info.text.trim();
              events.push({
                time: parsed.time,
                kind,
                pid: ev.pid ?? parsed.pid,
                file: index,
                line: info.number,
                text: text.length > EVENT_TEXT_CHARS ? `${text.slice(0, EVENT_TEXT_CHARS - 1)}…` : text,
                start: ev.kind === 'start' || undefined,
              });
            } else eventsDropped++;
          } else if (ev) understood = true; // a first boot: understood, not an event
          if (understood) {
            summary.understood++;
            if (parsed.rss !== undefined || (ev && ev.kind !== 'start')) active = true;
          } else if (info.unterminated) summary.truncatedLastLine = true;
        },
        (bytesRead) => {
          const now = Date.now();
          if (onProgress && now - lastReport >= 200) {
            lastReport = now;
            onProgress({ file: path, bytesRead: doneBytes + bytesRead, totalBytes, lines: totalLines });
          }
        },
        signal,
      );
    } catch (err) {
      if (!(err instanceof LogReadError)) throw err;
      summary.error = err.message;
    }
    doneBytes += summary.bytes;
    onProgress?.({ file: path, bytesRead: doneBytes, totalBytes, lines: totalLines });
  }
  return {
    files,
    series: [...seriesByKey.values()],
    events,
    eventCounts,
    eventsDropped,
    figuresDropped,
  };
}
