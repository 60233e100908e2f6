// Bundle entry of dist/server-main.js, which dist/server.js (server-loader.ts) runs: the VS Code
// client starts dist/server.js; so can any LSP client.
import { startServer } from './server';

startServer();
