// The status bar item shown while a process is watched (right side: it is about this window's
// monitor, not the workspace): current RSS and the trend, e.g. "$(pulse) 182 MB +2.10 MB/min".
// A click shows the memory panel.
import * as vscode from 'vscode';
import { Commands } from '../ids';
import { formatRate } from '../monitor/analysis/format';
import type { MonitorSession } from './session';
import { statusBarText } from './texts';

export class MonitorStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private unsubscribe: (() => void)[] = [];
  private session: MonitorSession | undefined;
  private growth: number | undefined;
  private verdict: string | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('leakLens.monitor', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Leak Lens memory monitor';
    this.item.command = Commands.openMemoryPanel;
  }

  follow(session: MonitorSession | undefined): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.session = session;
    this.growth = undefined;
    this.verdict = undefined;
    if (session) {
      this.unsubscribe.push(
        session.on('sample', () => this.render()),
        session.on('state', () => this.render()),
        session.on('analysis', (a) => {
          // Two samples give a slope, but not one worth showing as "the trend".
          this.growth = a.sampleCount >= 3 ? a.growthMBPerMin : undefined;
          this.verdict = a.verdict;
          this.render();
        }),
      );
    }
    this.render();
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.item.dispose();
  }

  private render(): void {
    const session = this.session;
    if (!session?.attached) {
      this.item.hide();
      return;
    }
    const last = session.run.samples[session.run.samples.length - 1];
    const paused = session.state === 'paused';
    this.item.text = statusBarText({ rss: last?.rss, growthMBPerMin: this.growth, paused });
    const target = session.targetView();
    const lines = [
      `Leak Lens: ${paused ? 'paused on' : 'watching'} ${target.title}`,
      target.detail,
      this.growth !== undefined
        ? `Trend so far: ${formatRate(this.growth)} (${this.verdict})`
        : 'Collecting samples…',
      'Click to show the memory panel.',
    ];
    this.item.tooltip = lines.filter(Boolean).join('\n');
    this.item.show();
  }
}
