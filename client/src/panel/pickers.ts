// The monitor's prompts: which process (or metrics URL) to watch, for how long, how often.
// Every prompt validates as the user types and says what is wrong; Escape cancels the command.
import * as vscode from 'vscode';
import { findProcess, listProcesses } from '../monitor/processes';
import type { MonitorTarget } from '../monitor/types';
import { parseMetricsUrl, parsePid, parseSeconds } from './inputs';
import { processPickItems } from './texts';

interface TargetItem extends vscode.QuickPickItem {
  action?: 'enter-pid' | 'enter-url';
  pid?: number;
}

const ENTER_PID: TargetItem = {
  label: '$(edit) Enter a PID…',
  description: 'any process you may read',
  action: 'enter-pid',
};
const ENTER_URL: TargetItem = {
  label: '$(globe) Prometheus /metrics URL…',
  description: 'a service in a container or on another host (process_resident_memory_bytes)',
  action: 'enter-url',
};

/**
 * The target quick pick; undefined when the user cancels. The two "enter…" rows lead the list
 * but are filtered like the others, so typing a PID or a name and pressing Enter picks the
 * matching process, not the "Enter a PID…" row.
 */
export async function pickTarget(title: string, followChildren: boolean): Promise<MonitorTarget | undefined> {
  const choice = await new Promise<TargetItem | { typedPid: number } | undefined>((resolve) => {
    const qp = vscode.window.createQuickPick<TargetItem>();
    qp.title = title;
    qp.placeholder = 'Pick the process to watch (Python servers first), or type a PID';
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.busy = true;
    qp.items = [ENTER_PID, ENTER_URL];
    let processItems: TargetItem[] = [];
    const refresh = () => {
      const typed = parsePid(qp.value);
      const direct: TargetItem[] =
        typed.value !== undefined && !processItems.some((p) => p.pid === typed.value)
          ? [
              {
                label: `$(debug-alt) Use PID ${typed.value}`,
                description: 'not in the list (yet)',
                alwaysShow: true,
                pid: typed.value,
              },
            ]
          : [];
      const active = qp.activeItems[0];
      qp.items = [...direct, ENTER_PID, ENTER_URL, ...processItems];
      if (active && qp.items.includes(active)) qp.activeItems = [active];
    };
    listProcesses()
      .then((list) => {
        let section: string | undefined;
        processItems = [];
        for (const item of processPickItems(list)) {
          if (item.section !== section) {
            section = item.section;
            processItems.push({ label: section ?? '', kind: vscode.QuickPickItemKind.Separator });
          }
          processItems.push({
            label: item.label,
            description: item.description,
            detail: item.detail,
            pid: item.pid,
          });
        }
        refresh();
      })
      .catch((err) => {
        qp.items = [ENTER_PID, ENTER_URL];
        void vscode.window.showWarningMessage(
          `Leak Lens: could not list the running processes (${(err as Error).message}); enter a PID instead.`,
        );
      })
      .finally(() => {
        qp.busy = false;
      });
    let settled = false;
    const finish = (value: TargetItem | { typedPid: number } | undefined) => {
      if (settled) return;
      settled = true;
      resolve(value);
      qp.dispose();
    };
    qp.onDidChangeValue(refresh);
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item) finish(item);
      else {
        const typed = parsePid(qp.value);
        if (typed.value !== undefined) finish({ typedPid: typed.value });
      }
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
  if (!choice) return undefined;
  if ('typedPid' in choice) return { pid: choice.typedPid, children: followChildren };
  if (choice.pid !== undefined) return { pid: choice.pid, children: followChildren };
  if (choice.action === 'enter-pid') {
    const pid = await askPid(title);
    return pid === undefined ? undefined : { pid, children: followChildren };
  }
  if (choice.action === 'enter-url') {
    const url = await askUrl(title);
    return url === undefined ? undefined : { url };
  }
  return undefined;
}

async function askPid(title: string): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'Process ID to watch (e.g. from `pgrep -af uvicorn`)',
    placeHolder: '4242',
    ignoreFocusOut: true,
    validateInput: async (value) => {
      const pid = parsePid(value);
      if (pid.error !== undefined) return pid.error;
      try {
        if (!(await findProcess(pid.value))) return `No process with PID ${pid.value} is running.`;
      } catch {
        // Listing failed (no /proc access…): let the sampler give the real error.
      }
      return undefined;
    },
  });
  return text === undefined ? undefined : parsePid(text).value;
}

async function askUrl(title: string): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'Prometheus text endpoint exposing process_resident_memory_bytes',
    placeHolder: 'http://127.0.0.1:8000/metrics',
    ignoreFocusOut: true,
    validateInput: (value) => parseMetricsUrl(value).error,
  });
  return text === undefined ? undefined : parseMetricsUrl(text).value;
}

/** How long to sample (seconds); warns, without refusing, when too short for a verdict. */
export async function askDuration(
  title: string,
  defaultSeconds: number,
  minDurationSeconds: number,
): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: `${title}: duration`,
    prompt: 'How long to sample, in seconds (or 90s, 5m, 1h). Esc cancels.',
    value: String(defaultSeconds),
    ignoreFocusOut: true,
    validateInput: (value): string | vscode.InputBoxValidationMessage | undefined => {
      const parsed = parseSeconds(value, 'duration', 1);
      if (parsed.error !== undefined) return parsed.error;
      if (parsed.value < minDurationSeconds) {
        return {
          message: `Shorter than leakLens.detect.minDurationSeconds (${minDurationSeconds} s): growth cannot be called a leak, the verdict will be inconclusive.`,
          severity: vscode.InputBoxValidationSeverity.Warning,
        };
      }
      return undefined;
    },
  });
  return text === undefined ? undefined : parseSeconds(text, 'duration', 1).value;
}

/** Seconds between samples; at most the duration. */
export async function askInterval(
  title: string,
  defaultSeconds: number,
  durationSeconds: number,
): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: `${title}: interval`,
    prompt: 'Seconds between two samples (the sampling interval).',
    value: String(Math.min(defaultSeconds, durationSeconds)),
    ignoreFocusOut: true,
    validateInput: (value): string | vscode.InputBoxValidationMessage | undefined => {
      const parsed = parseSeconds(value, 'interval', 0.1);
      if (parsed.error !== undefined) return parsed.error;
      if (parsed.value > durationSeconds)
        return `The interval must not be longer than the duration (${durationSeconds} s).`;
      const samples = Math.floor(durationSeconds / parsed.value) + 1;
      if (samples < 5) {
        return {
          message: `Only ${samples} samples in ${durationSeconds} s: at least 5 are needed for a verdict.`,
          severity: vscode.InputBoxValidationSeverity.Warning,
        };
      }
      return undefined;
    },
  });
  return text === undefined ? undefined : parseSeconds(text, 'interval', 0.1).value;
}
