// Counts Leak Lens findings across the workspace from what VS Code's diagnostics API reports.
// No `vscode` import: it takes the shape of `languages.getDiagnostics()` so plain mocha can test it.

export interface FindingCount {
  findings: number;
  files: number;
}

interface DiagnosticLike {
  source?: string;
}

export function countFindings(
  entries: Iterable<readonly [unknown, readonly DiagnosticLike[]]>,
  source: string,
): FindingCount {
  let findings = 0;
  let files = 0;
  for (const [, diagnostics] of entries) {
    let inFile = 0;
    for (const d of diagnostics) if (d.source === source) inFile++;
    findings += inFile;
    if (inFile > 0) files++;
  }
  return { findings, files };
}

/** "1 possible leak in 1 file", "3 possible leaks in 2 files", "No possible leaks found". */
export function describeFindings({ findings, files }: FindingCount): string {
  if (findings === 0) return 'No possible leaks found';
  const leaks = findings === 1 ? '1 possible leak' : `${findings} possible leaks`;
  return `${leaks} in ${files === 1 ? '1 file' : `${files} files`}`;
}
