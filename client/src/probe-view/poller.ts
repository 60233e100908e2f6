// Reads an attached probe every few seconds (growth and endpoints) into the probe store. A failed
// read keeps what was shown and says why (the panel shows it); it never stops by itself.
import type * as vscode from 'vscode';
import type { EndpointsDoc, GrowthDoc } from '../probe/documents';
import { buildProbeView } from '../probe/evidence';
import { fetchProbe, type ProbeEndpoint } from '../probe/fetch';
import { probeStore } from './store';

export const POLL_SECONDS = 5;

export class ProbePoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;

  constructor(
    private readonly endpoint: ProbeEndpoint,
    private readonly workspaceCwd: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Reads once (rejects with a ProbeError if the probe cannot be read), then every 5 s. */
  async start(): Promise<void> {
    await this.read(true);
    probeStore.attached(() => this.stop());
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.read(false).finally(() => this.schedule());
    }, POLL_SECONDS * 1000);
  }

  private async read(first: boolean): Promise<void> {
    try {
      const [growth, endpoints] = await Promise.all([
        fetchProbe<GrowthDoc>(this.endpoint, 'growth'),
        fetchProbe<EndpointsDoc>(this.endpoint, 'endpoints'),
      ]);
      if (this.stopped) return;
      this.lastError = undefined;
      probeStore.set(buildProbeView(this.endpoint.url, growth, endpoints.endpoints, this.workspaceCwd));
    } catch (err) {
      if (first) throw err;
      if (this.stopped) return;
      const message = (err as Error).message;
      if (message !== this.lastError) this.log.warn(`Probe: ${message}`);
      this.lastError = message;
      const last = probeStore.view;
      if (last) probeStore.set({ ...last, error: message });
    }
  }
}
