// Bundle entry of dist/server.js (the VS Code client starts it; so can any LSP client).
import { startServer } from './server';

startServer();
