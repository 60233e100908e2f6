// `leak-lens` command (bundle entry: dist/cli.js). Dispatches to `scan`, `detect`, the probe's
// `run`, `top` and `probe-path`, and `server --stdio`; the exit code is set rather than forced with process.exit, so large outputs
// written to a pipe are flushed before the process ends.
import { version } from '../../../package.json';
import { startWorker } from './scan-thread';

const USAGE = `Leak Lens ${version}: find memory leaks in Python services.

Usage:
  leak-lens scan [options] [PATH ...]   Static analysis (LEAK001-LEAK008); see \`leak-lens scan --help\`
  leak-lens detect [options]            Watch a running process's memory and decide whether it leaks;
                                        see \`leak-lens detect --help\`
  leak-lens analyze-logs FILE... [options]
                                        Read memory figures and OOM/restart events from logs and
                                        decide whether they show a leak; see \`analyze-logs --help\`
  leak-lens run [--port 9464] -- CMD…   Run a Python service with the Leak Lens probe inside; see \`leak-lens run --help\`
  leak-lens top --url URL               What a probe says is growing (types, lines, endpoints)
  leak-lens probe-path                  Print the folder holding the Python probe (for PYTHONPATH)
  leak-lens server --stdio              Run the language server over stdin/stdout (used by editors)
  leak-lens --help | --version`;

export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'scan': {
      // The worker that will analyse the files starts loading the parser first; the rest of the
      // command (settings, discovery, the engine) loads meanwhile.
      const warm = rest.includes('--help') || rest.includes('-h') ? undefined : startWorker();
      const { processIO, runScan } = await import('./scan');
      return runScan(rest, processIO, warm);
    }
    case 'detect': {
      // Loaded on demand (esbuild inlines it lazily) so `scan` does not pay for the monitor.
      const { runDetect } = await import('../../../client/src/monitor/cli');
      return runDetect(rest);
    }
    case 'analyze-logs': {
      const { runAnalyzeLogs } = await import('../../../client/src/monitor/logs/cli');
      return runAnalyzeLogs(rest);
    }
    case 'run':
    case 'top':
    case 'probe-path': {
      const { runProbeCli } = await import('../../../client/src/probe/cli');
      return runProbeCli(command, rest);
    }
    case 'server': {
      if (rest.length !== 1 || rest[0] !== '--stdio') {
        process.stderr.write('leak-lens server: only `--stdio` is supported: leak-lens server --stdio\n');
        return 2;
      }
      const { startServer } = await import('../server');
      startServer();
      return undefined; // the connection keeps the process alive until the client disconnects
    }
    case '--version':
    case '-V':
      process.stdout.write(`${version}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case undefined:
      process.stderr.write(`${USAGE}\n`);
      return 2;
    default:
      process.stderr.write(`leak-lens: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

if (require.main === module) {
  // `leak-lens scan | head`: the reader went away; stop quietly as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `leak-lens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
