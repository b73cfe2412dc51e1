#!/bin/sh
# sh prepare.sh BUILD_DIR: installs the native parser's packages (Babel's parser, pinned by
# native/package-lock.json) into BUILD_DIR/node_modules.  The image's Dockerfile and
# `bblfsh-lsp driver install javascript --runtime process` both run it; native/parse.js itself
# is run from the driver's folder and loads the parser from there.
set -eu
build="${1:?usage: sh prepare.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"

command -v node >/dev/null 2>&1 || { echo "prepare.sh: node is missing (Debian: apt-get install nodejs)" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' \
    || { echo "prepare.sh: Node.js 18 or newer is needed, this is $(node --version)" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "prepare.sh: npm is missing (Debian: apt-get install npm; Node.js from elsewhere brings its own)" >&2; exit 1; }

mkdir -p "$build"
cp "$here/native/package.json" "$here/native/package-lock.json" "$build/"
cd "$build"
# Exactly what the lock file says; no install scripts run.
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
node -e 'require(process.argv[1] + "/node_modules/@babel/parser")' "$build"
echo "prepare.sh: @babel/parser $(node -p 'require("./node_modules/@babel/parser/package.json").version') in $build"
