#!/usr/bin/env bash
# Install what the editor tests need (tests/test_editor_vscode.py), idempotently:
#   - from Debian: chromium (the browser the test drives; fonts-liberation for legible screenshots),
#     and libkrb5-dev + build-essential, with which code-server's native modules (kerberos,
#     node-pty, ...) build from source;
#   - the VS Code extension's npm packages (editors/vscode, npm ci, pinned by its package-lock.json);
#   - code-server and playwright-core (editors/vscode/test/package-lock.json), installed once into a
#     cache folder named after that lock file, so that repeated runs and fresh clones reuse it.
# Node.js 20 and npm must be there already (code-server 4.100 runs on Node 20 only).
#
#   scripts/setup-editors.sh [--no-apt]
#
# The last line printed on stdout is the folder that holds node_modules/code-server and
# node_modules/playwright-core (what editors/vscode/test/e2e.mjs takes as --prefix).
# Environment: BBLFSH_LSP_EDITORS_CACHE moves the cache (default ~/.cache/bblfsh-lsp/vscode-e2e).
# Exit status: 0 ready, 3 a prerequisite is missing and cannot be installed here, else an error.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
say() { echo "[setup-editors] $*" >&2; }
missing_prerequisite() { say "$*"; exit 3; }
# shellcheck source=scripts/debian.sh
source scripts/debian.sh  # the working folder is the checkout's root

apt=1
[[ ${1:-} == --no-apt ]] && apt=0

# --- Debian packages ---------------------------------------------------------------------------
packages=(chromium fonts-liberation libkrb5-dev build-essential)
install_debian_packages setup-editors.sh "${packages[@]}"

# --- Node.js -----------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing_prerequisite "node and npm are not installed"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ $node_major == 20 ]] || missing_prerequisite "code-server 4.100 needs Node.js 20; this is $(node --version)"
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Native modules build against the installed Node's own headers rather than downloading them.
node_prefix="$(dirname "$(dirname "$(node -p process.execPath)")")"
if [[ -z ${npm_config_nodedir:-} && -f $node_prefix/include/node/node_version.h ]]; then
    export npm_config_nodedir="$node_prefix"
fi

stamp_of() { sha256sum "$1" | cut -c1-16; }

# One setup at a time (test runs may overlap); the lock goes with the process.
cache="${BBLFSH_LSP_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bblfsh-lsp/vscode-e2e}"
mkdir -p "$cache"
exec 9>"$cache/.setup.lock"
flock 9

# --- the extension's packages ------------------------------------------------------------------
extension="$repo/editors/vscode"
stamp="$(stamp_of "$extension/package-lock.json")"
if [[ $(cat "$extension/node_modules/.bblfsh-installed" 2>/dev/null) != "$stamp" ]]; then
    say "npm ci in editors/vscode"
    (cd "$extension" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$stamp" > "$extension/node_modules/.bblfsh-installed"
fi

# --- code-server and playwright-core -----------------------------------------------------------
lock="$repo/editors/vscode/test/package-lock.json"
prefix="$cache/$(stamp_of "$lock")"
if [[ ! -f $prefix/.installed ]]; then
    say "installing code-server and playwright-core into $prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix/tmp"
    cp "$repo/editors/vscode/test/package.json" "$lock" "$prefix/"

    # code-server's postinstall runs `npm install` in its lib/vscode, where @vscode/ripgrep's
    # postinstall downloads rg from GitHub unless its cache, $TMPDIR/vscode-ripgrep-cache-<version>/
    # <asset>.tar.gz, already holds the archive. Seed it with the rg binary from the npm registry's
    # @vscode/ripgrep-<platform> package. (Versions: code-server 4.100.3's lib/vscode/npm-shrinkwrap.json
    # pins @vscode/ripgrep 1.15.11, whose lib/postinstall.js asks for ripgrep v13.0.0-10.)
    ripgrep_version=1.15.11 ripgrep_asset_version=v13.0.0-10 ripgrep_package_version=1.18.0
    case "$(uname -m)" in
        x86_64) ripgrep_platform=linux-x64 ripgrep_target=x86_64-unknown-linux-musl ;;
        aarch64) ripgrep_platform=linux-arm64 ripgrep_target=aarch64-unknown-linux-musl ;;
        *) missing_prerequisite "no ripgrep package for $(uname -m)" ;;
    esac
    seed="$prefix/tmp/vscode-ripgrep-cache-$ripgrep_version"
    mkdir -p "$seed" "$prefix/tmp/rg"
    (cd "$prefix/tmp/rg" && npm pack --silent "@vscode/ripgrep-$ripgrep_platform@$ripgrep_package_version" >/dev/null \
        && tar xzf ./*.tgz package/bin/rg && chmod 755 package/bin/rg \
        && tar czf "$seed/ripgrep-$ripgrep_asset_version-$ripgrep_target.tar.gz" -C package/bin rg)

    # As root, code-server's postinstall insists on unsafe-perm (and npm passes it on to it).
    # JOBS: node-gyp builds the native modules with every core.
    (cd "$prefix" && TMPDIR="$prefix/tmp" JOBS=max npm_config_unsafe_perm=true npm ci --no-audit --no-fund --loglevel=error >&2)
    vscode="$prefix/node_modules/code-server/lib/vscode"
    for file in "$vscode/node_modules/@vscode/ripgrep/bin/rg" "$prefix/node_modules/code-server/out/node/entry.js" \
                "$prefix/node_modules/playwright-core/package.json"; do
        [[ -e $file ]] || { say "the install did not produce $file"; exit 1; }
    done
    rm -rf "$prefix/tmp"
    touch "$prefix/.installed"
fi
echo "$prefix"
