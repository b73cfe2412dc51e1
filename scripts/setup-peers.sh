#!/usr/bin/env bash
# Install the language servers the outline is compared with (scripts/outline_agreement.py,
# tests/test_outline_peers.py), pinned, idempotently (a second run only checks, in well under a second):
#   - from npm, into .peers/ in the checkout (git ignores it through its own .gitignore):
#     pyright (pyright-langserver), typescript-language-server with the typescript it drives;
#   - from Debian: gopls and clangd (their versions are Debian's: bookworm's gopls 0.5, clangd 14).
# Node.js and npm must be there already (typescript-language-server 5 needs Node 20 or later).
#
#   scripts/setup-peers.sh [--no-apt]
#
# Exit status: 0 ready, 3 a prerequisite is missing and cannot be installed here, else an error.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "[setup-peers] $*" >&2; }
missing_prerequisite() { say "$*"; exit 3; }
# shellcheck source=scripts/debian.sh
source scripts/debian.sh  # the working folder is the checkout's root

apt=1
[[ ${1:-} == --no-apt ]] && apt=0

# The pins: one place. scripts/outline_agreement.py finds the servers under .peers/node_modules/.bin.
npm_packages=(pyright@1.1.414 typescript-language-server@5.3.0 typescript@5.9.3)
# zlib1g-dev: its examples are the C corpus of tests/test_outline_peers.py.
debian_packages=(gopls clangd zlib1g-dev)

# --- Debian packages ---------------------------------------------------------------------------
install_debian_packages setup-peers.sh "${debian_packages[@]}"

# --- npm packages ------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing_prerequisite "node and npm are not installed"
fi
mkdir -p .peers
[[ -e .peers/.gitignore ]] || printf '# installed by scripts/setup-peers.sh\n*\n' > .peers/.gitignore

installed_version() {  # the version of an installed npm package in .peers, or nothing
    local manifest=".peers/node_modules/$1/package.json"
    [[ -f $manifest ]] && node -p "require('./$manifest').version" 2>/dev/null || true
}
stale=()
for pin in "${npm_packages[@]}"; do
    name="${pin%@*}" version="${pin##*@}"
    [[ $(installed_version "$name") == "$version" ]] || stale+=("$pin")
done
if (( ${#stale[@]} )); then
    say "installing from npm: ${npm_packages[*]}"
    export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    # A manifest of its own, so that npm installs exactly the pins here and nothing else.
    printf '{"name": "bblfsh-lsp-peers", "private": true}\n' > .peers/package.json
    npm install --prefix .peers --save-exact --no-package-lock "${npm_packages[@]}" >&2 \
        || missing_prerequisite "npm install ${npm_packages[*]} failed"
fi

for tool in .peers/node_modules/.bin/pyright-langserver .peers/node_modules/.bin/typescript-language-server; do
    [[ -x $tool ]] || { say "$tool is missing after the install"; exit 1; }
done
for tool in gopls clangd; do
    command -v "$tool" >/dev/null || { say "$tool is not on PATH after the install"; exit 1; }
done
say "ready: ${npm_packages[*]} in .peers; $(gopls version 2>/dev/null | head -1 | tr -s ' '); $(clangd --version 2>/dev/null | head -1)"
