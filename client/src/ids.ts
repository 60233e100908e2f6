// Names shared by the manifest (package.json), the client and the language server. Kept in one
// place so a rename cannot leave a command declared in package.json but registered under another id.

/** Client id: also the prefix of `leakLens.trace.server`, which vscode-languageclient reads itself. */
export const CLIENT_ID = 'leakLens';
export const DISPLAY_NAME = 'Leak Lens';
/** `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'Leak Lens';
/** The code action kind the server offers for "fix everything that is safe". */
export const FIX_ALL_KIND = 'source.fixAll.leakLens';

export const Commands = {
  restartServer: 'leakLens.restartServer',
  scanWorkspace: 'leakLens.scanWorkspace',
  showOutput: 'leakLens.showOutput',
  showRuleDocumentation: 'leakLens.showRuleDocumentation',
  fixAllInFile: 'leakLens.fixAllInFile',
  detectMemoryLeak: 'leakLens.detectMemoryLeak',
  openMemoryPanel: 'leakLens.openMemoryPanel',
  attachToProcess: 'leakLens.attachToProcess',
  analyzeLogFile: 'leakLens.analyzeLogFile',
  attachToPrometheus: 'leakLens.attachToPrometheus',
  attachToProbe: 'leakLens.attachToProbe',
  detachProbe: 'leakLens.detachProbe',
} as const;

/** Server → client notification: whether an open document is test or vendored code left out of analysis. */
export const DOCUMENT_STATUS_NOTIFICATION = 'leakLens/documentStatus';
/** The setting that brings test code into the analysis (opened from the language status item). */
export const INCLUDE_TESTS_SETTING = 'leakLens.includeTests';
/** The setting that brings vendored third-party code into the analysis. */
export const INCLUDE_VENDORED_SETTING = 'leakLens.includeVendored';

/** Commands the server executes through `workspace/executeCommand`. */
export const ServerCommands = {
  scanWorkspace: 'leakLens.scanWorkspace',
} as const;
