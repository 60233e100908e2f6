// `leak-lens run [--port 9464] [--host 127.0.0.1] [--token T] -- <command…>`: starts the command
// with the probe injected into every Python process (PYTHONPATH + a sitecustomize that runs the
// one it shadows), serves the probes on one URL, and ends with the command's exit code. Its own
// errors (bad arguments, port taken, command not found) exit 2 with one sentence.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { constants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAggregator } from './aggregator';
import { writeRunRecord } from './discovery';
import { bootPath, probePath } from './locate';

export const RUN_USAGE = `Usage: leak-lens run [--port 9464] [--host 127.0.0.1] [--token T] -- <command…>

Starts <command> (python -m uvicorn main:app, gunicorn -w 4 app:app, celery worker, a script…)
with the Leak Lens probe in every Python process it starts, forked and spawned workers included,
and serves what they measure — growing object types, growing source lines, memory kept per
endpoint — on one URL, summed and per process:
  GET  /api/debug/memory/snapshot | growth | history | leaks | endpoints
  POST /api/debug/memory/gc-collect
  GET  /metrics                     (Prometheus text, a pid label per process)

Options:
  --port N      Port to serve on (default 9464; 0 picks a free one)
  --host H      Address to bind (default 127.0.0.1; anything else exposes the probe)
  --token T     Require "Authorization: Bearer T" (default: LEAK_LENS_PROBE_TOKEN, if set)
  -h, --help    Show this help

Exit code: the command's (128 + signal number when a signal ended it); 2 when leak-lens itself
could not start it.`;

export interface RunIO {
  stderr: { write(chunk: string): unknown };
}

class UsageError extends Error {}

interface RunArgs {
  port: number;
  host: string;
  token?: string;
  command: string[];
}

export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: own,
      strict: true,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  if (positionals.length) command.unshift(...positionals);
  if (command.length === 0)
    throw new UsageError('give the command to run after --, e.g. leak-lens run -- python app.py');
  const rawPort = (values.port as string | undefined) ?? '9464';
  if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535)
    throw new UsageError(`--port expects a port number from 0 to 65535, got "${rawPort}"`);
  const host = ((values.host as string | undefined) ?? '127.0.0.1').trim();
  if (!host) throw new UsageError('--host expects an address');
  const token = (values.token as string | undefined) ?? process.env.LEAK_LENS_PROBE_TOKEN ?? undefined;
  return { port: Number(rawPort), host, token: token || undefined, command };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function runWithProbe(argv: string[], io: RunIO = { stderr: process.stderr }): Promise<number> {
  let args: RunArgs | 'help';
  try {
    args = parseRunArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`leak-lens run: ${err.message}\nRun \`leak-lens run --help\` for the options.\n`);
    return 2;
  }
  if (args === 'help') {
    io.stderr.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const root = probePath();
  if (!root) {
    io.stderr.write('leak-lens run: the Python probe (leak_lens_probe) is missing from this installation.\n');
    return 2;
  }
  const runDir = mkdtempSync(join(tmpdir(), 'leak-lens-probe-'));
  const innerToken = randomBytes(16).toString('hex');
  const commandLine = args.command.join(' ');
  let childPid = 0;
  const server = createAggregator({
    runDir,
    innerToken,
    token: args.token,
    rootPid: () => childPid,
    command: commandLine,
  });
  let port: number;
  try {
    port = await listen(server, args.port, args.host);
  } catch (err) {
    rmSync(runDir, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${args.port} on ${args.host} is already in use (pass --port N, or --port 0 for a free one)`
        : `cannot listen on ${args.host}:${args.port}: ${(err as Error).message}`;
    io.stderr.write(`leak-lens run: ${why}.\n`);
    return 2;
  }
  const env = {
    ...process.env,
    PYTHONPATH: [bootPath(root), root, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    LEAK_LENS_PROBE: '1',
    LEAK_LENS_PROBE_RUN_DIR: runDir,
    LEAK_LENS_PROBE_RUN_TOKEN: innerToken,
  };
  const child = spawn(args.command[0], args.command.slice(1), { stdio: 'inherit', env });
  const cleanup: (() => void)[] = [() => rmSync(runDir, { recursive: true, force: true })];
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  const handlers = SIGNALS.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const finish = () => {
    for (const [s, h] of handlers) process.off(s, h);
    server.close();
    server.closeAllConnections();
    for (const step of cleanup.splice(0)) step();
  };
  return new Promise<number>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish();
      io.stderr.write(
        `leak-lens run: cannot start "${args.command[0]}": ${err.code === 'ENOENT' ? 'no such command' : err.message}.\n`,
      );
      resolve(2);
    });
    child.once('spawn', () => {
      childPid = child.pid as number;
      const host = args.host.includes(':') ? `[${args.host}]` : args.host;
      const url = `http://${host}:${port}`;
      const record = writeRunRecord({
        version: 1,
        pid: childPid,
        runnerPid: process.pid,
        url,
        command: commandLine,
        runDir,
        tokenRequired: !!args.token,
      });
      cleanup.push(() => rmSync(record, { force: true }));
      io.stderr.write(
        `leak-lens run: probe on ${url} (PID ${childPid}: ${commandLine}) — try \`leak-lens top --url ${url}\`\n`,
      );
    });
    child.once('exit', (code, signal) => {
      finish();
      resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
}
