// The probe's commands of the `leak-lens` CLI: `run`, `top` and `probe-path`.
import { probePath } from './locate';
import { runWithProbe } from './run-command';
import { runTop } from './top-command';

export async function runProbeCli(command: 'run' | 'top' | 'probe-path', argv: string[]): Promise<number> {
  if (command === 'run') return runWithProbe(argv);
  if (command === 'top') return runTop(argv);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'Usage: leak-lens probe-path\n\nPrints the folder holding the Python probe (leak_lens_probe): put it on PYTHONPATH,\nor `pip install` it, to call setup_memory_monitoring(app) in your code.\n',
    );
    return 0;
  }
  const path = probePath();
  if (!path) {
    process.stderr.write(
      'leak-lens probe-path: the Python probe (leak_lens_probe) is missing from this installation.\n',
    );
    return 2;
  }
  process.stdout.write(`${path}\n`);
  return 0;
}
