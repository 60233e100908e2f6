// Process listing for the target quick pick, and the /proc, ps and Win32_Process parsers.
import * as assert from 'node:assert/strict';
import {
  classifyCommand,
  findProcess,
  listProcesses,
  parsePsOutput,
  parseWindowsProcesses,
  sortForPicking,
} from '../../client/src/monitor/processes';
import { descendantsOf, parseStat, parseStatusMemory } from '../../client/src/monitor/procfs';
import { killAll, startShape } from './support';

describe('monitor processes: listing', function () {
  this.timeout(30000);
  after(killAll);

  it('lists a running Python process with its full command line, Python processes first', async () => {
    const proc = await startShape('flat', ['--tick', '0.2']);
    const list = await listProcesses();
    const mine = list.find((p) => p.pid === proc.pid);
    assert.ok(mine, 'the spawned process is listed');
    assert.match(mine.command, /memshape\.py flat --tick 0\.2/);
    assert.equal(mine.kind, 'python');
    assert.equal(mine.ppid, process.pid);
    assert.ok((mine.rssBytes ?? 0) > 1024 * 1024);
    const firstOther = list.findIndex((p) => p.kind === 'other');
    const lastPython = list.map((p) => p.kind !== 'other').lastIndexOf(true);
    assert.ok(firstOther === -1 || lastPython < firstOther, 'Python processes come before the others');
    assert.ok(!list.some((p) => p.pid === process.pid), 'our own process is left out');
    const pythonOnly = await listProcesses({ all: false });
    assert.ok(pythonOnly.every((p) => p.kind !== 'other'));
    assert.ok(pythonOnly.some((p) => p.pid === proc.pid));
  });

  it('finds one process by PID, and nothing for a PID that is not running', async () => {
    const proc = await startShape('flat');
    assert.match((await findProcess(proc.pid))?.command ?? '', /memshape\.py flat/);
    const gone = await startShape('flat', ['--exit-after', '0.1']);
    await gone.exited;
    assert.equal(await findProcess(gone.pid), undefined);
  });
});

describe('monitor processes: parsing', () => {
  it('classifies Python servers and interpreters', () => {
    const table: [string, string][] = [
      ['/srv/venv/bin/python3 /srv/venv/bin/uvicorn app.main:app --workers 4', 'uvicorn'],
      ['python -m uvicorn app:app', 'uvicorn'],
      ['gunicorn: worker [app.wsgi:application]', 'gunicorn'],
      ['/usr/bin/python3.11 /venv/bin/celery -A proj worker -l info', 'celery'],
      ['/usr/local/bin/python3.12 manage.py runserver', 'python'],
      ['C:\\Python311\\python.exe app.py', 'python'],
      ['"C:\\Program Files\\Python312\\pythonw.exe" tray.py', 'python'],
      ['pypy3 script.py', 'python'],
      ['/usr/sbin/sshd -D', 'other'],
      ['node server.js --python', 'other'],
    ];
    for (const [command, kind] of table) assert.equal(classifyCommand(command), kind, command);
    assert.equal(classifyCommand('', 'python3'), 'python');
  });

  it('sorts servers, then Python, then the rest, by PID', () => {
    const mk = (pid: number, command: string) => ({
      pid,
      ppid: 1,
      name: '',
      command,
      kind: classifyCommand(command),
    });
    const sorted = sortForPicking([
      mk(5, 'bash'),
      mk(9, 'python3 a.py'),
      mk(7, 'gunicorn: master [x]'),
      mk(3, 'python3 b.py'),
    ]);
    assert.deepEqual(
      sorted.map((p) => p.pid),
      [7, 3, 9, 5],
    );
  });

  it('parses /proc/PID/stat, even with spaces and parentheses in the name', () => {
    const stat = parseStat(
      '1234 (my (odd) name) S 99 1234 1234 0 -1 4194304 10 0 0 0 5 3 0 0 20 0 3 0 777123 12345 300 18446744073709551615\n',
    );
    assert.deepEqual(stat, { pid: 1234, comm: 'my (odd) name', state: 'S', ppid: 99, startTime: 777123 });
    assert.equal(parseStat('garbage'), undefined);
  });

  it('parses VmRSS and VmSwap, and nothing for a zombie', () => {
    assert.deepEqual(parseStatusMemory('Name:\tx\nVmRSS:\t   2048 kB\nVmSwap:\t      4 kB\n'), {
      rss: 2048 * 1024,
      swap: 4096,
    });
    assert.equal(parseStatusMemory('Name:\tx\nState:\tZ (zombie)\n'), undefined);
  });

  it('walks all descendants, not only children', () => {
    const all = [
      { pid: 2, ppid: 1 },
      { pid: 3, ppid: 2 },
      { pid: 4, ppid: 3 },
      { pid: 5, ppid: 1 },
      { pid: 6, ppid: 2 },
    ];
    assert.deepEqual(
      descendantsOf(2, all).map((p) => p.pid),
      [3, 6, 4],
    );
    assert.deepEqual(descendantsOf(4, all), []);
  });

  it('parses ps output (macOS, BSD)', () => {
    const text =
      '    1     0  12000 /sbin/launchd\n  812     1 104000 /opt/homebrew/bin/python3.12 -m uvicorn app:app\n\n';
    const list = parsePsOutput(text);
    assert.equal(list.length, 2);
    assert.deepEqual(list[1], {
      pid: 812,
      ppid: 1,
      name: 'python3.12',
      command: '/opt/homebrew/bin/python3.12 -m uvicorn app:app',
      kind: 'uvicorn',
      rssBytes: 104000 * 1024,
    });
  });

  it('parses Win32_Process JSON (one row or many, missing command lines)', () => {
    const many = JSON.stringify([
      { ProcessId: 4, ParentProcessId: 0, Name: 'System', CommandLine: null, WorkingSetSize: 1000 },
      {
        ProcessId: 5120,
        ParentProcessId: 900,
        Name: 'python.exe',
        CommandLine: 'C:\\Py\\python.exe -m gunicorn app:app',
        WorkingSetSize: 52428800,
      },
    ]);
    const list = parseWindowsProcesses(many);
    assert.equal(list[0].command, 'System');
    assert.equal(list[1].kind, 'gunicorn');
    assert.equal(list[1].rssBytes, 52428800);
    assert.equal(
      parseWindowsProcesses(JSON.stringify({ ProcessId: 7, ParentProcessId: 1, Name: 'python.exe' }))[0].kind,
      'python',
    );
    assert.deepEqual(parseWindowsProcesses(''), []);
  });
});
