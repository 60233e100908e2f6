// The language server's project index: what the other workspace files say about a name (a logger
// helper called only at import elsewhere) decides a finding in the editor as it does in
// `leak-lens scan`, and a change on disk to those files changes the answer.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileChangeType } from 'vscode-languageserver-protocol/node';
import { CALLED_AT_IMPORT, JOB_LOGGER_HELPER } from '../support/job-logger';
import { codesOf, TestClient } from './support/lsp-client';

const HELPER = JOB_LOGGER_HELPER;
const AT_IMPORT = CALLED_AT_IMPORT;
const PER_JOB =
  'from jobs.helpers import get_job_logger\n\n\ndef run(job):\n    get_job_logger(job.id).info("start")\n';

describe('protocol: project index', function () {
  this.timeout(120_000);
  let dir: string;
  let client: TestClient;
  const write = (rel: string, text: string) => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return pathToFileURL(path).href;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-lens-index-'));
    write('jobs/helpers.py', HELPER);
    write('jobs/tasks.py', AT_IMPORT);
    client = await TestClient.start({
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
      initializationOptions: { scanOnStartup: true },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a helper that the other files call only at import is silent; called per job, it is reported', async () => {
    const helper = pathToFileURL(join(dir, 'jobs/helpers.py')).href;
    // The scan indexes the workspace before analysing: the closed file is silent from the start.
    const token = await client.waitFor((e) => (e.kind === 'progressCreate' ? e.token : undefined));
    await client.waitFor((e) =>
      e.kind === 'progress' && e.params.token === token && (e.params.value as { kind: string }).kind === 'end'
        ? e
        : undefined,
    );
    assert.deepEqual(codesOf(client.latestDiagnostics(helper) ?? []), []);
    // Opened in the editor: the same answer.
    assert.deepEqual(codesOf(await client.openAndWait(helper, HELPER)), []);
    // Another module starts calling it per job: the open document learns it from the file event.
    const since = client.mark;
    const tasks = write('jobs/tasks.py', PER_JOB);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: tasks, type: FileChangeType.Changed }],
    });
    const after = await client.diagnosticsFor(helper, (p) => p.diagnostics.length > 0, since);
    assert.deepEqual(codesOf(after.diagnostics), ['LEAK005']);
  });
});
