// esbuild bundles imported stylesheets into dist/webview.css; for TypeScript they are plain
// side-effect imports.
declare module '*.css';
