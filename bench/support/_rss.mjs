import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const [server, ...dirs] = process.argv.slice(2);
const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const c = createProtocolConnection(
  new StreamMessageReader(child.stdout),
  new StreamMessageWriter(child.stdin),
);
let end;
const ended = new Promise((r) => (end = r));
const t0 = performance.now();
c.onNotification('$/progress', (p) => {
  if (p.value?.kind === 'end') end();
});
c.onRequest('window/workDoneProgress/create', () => null);
c.onRequest('workspace/configuration', (p) => p.items.map(() => ({ includeTests: true })));
c.onRequest('client/registerCapability', () => null);
c.listen();
await c.sendRequest('initialize', {
  processId: process.pid,
  rootUri: null,
  workspaceFolders: dirs.map((d, i) => ({ uri: pathToFileURL(d).href, name: 'f' + i })),
  capabilities: {
    workspace: { configuration: true, workspaceFolders: true },
    window: { workDoneProgress: true },
  },
  initializationOptions: {},
});
c.sendNotification('initialized', {});
const rss = () => {
  const s = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return `${(+/VmRSS:\s+(\d+)/.exec(s)[1] / 1024).toFixed(0)} MiB (threads ${/Threads:\s+(\d+)/.exec(s)[1]})`;
};
const poll = setInterval(() => {}, 1000);
await ended;
console.log(`scan ${((performance.now() - t0) / 1000).toFixed(1)} s; end ${rss()}`);
for (const s of [5, 15, 35]) {
  await new Promise((r) => setTimeout(r, (s === 5 ? 5 : s === 15 ? 10 : 20) * 1000));
  console.log(`+${s}s ${rss()}`);
}
clearInterval(poll);
await c.sendRequest('shutdown');
c.sendNotification('exit');
c.dispose();
