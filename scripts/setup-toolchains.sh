#!/usr/bin/env bash
# Install, from Debian, the toolchains the bundled drivers need on this machine for the process
# runtime (each driver lists its packages in driver_runtime/drivers/<name>/host-packages.txt),
# then prepare every driver that has a prepare.sh (`bblfsh-lsp driver install LANG --runtime process`).
# Container runtimes do not need this: driver images carry their own toolchains. Run as root.
#
#   scripts/setup-toolchains.sh [BBLFSH_LSP]   # BBLFSH_LSP: the CLI to prepare with (default: .venv/bin/bblfsh-lsp)
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${1:-.venv/bin/bblfsh-lsp}"

packages=()
for list in driver_runtime/drivers/*/host-packages.txt; do
    [[ -e $list ]] || continue
    while read -r package _; do
        [[ -z $package || $package == \#* ]] || packages+=("$package")
    done < "$list"
done
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if (( ${#missing[@]} )); then
    echo "[setup-toolchains] installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for script in driver_runtime/drivers/*/prepare.sh; do
    [[ -e $script ]] || continue
    language="$(basename "$(dirname "$script")")"
    echo "[setup-toolchains] preparing the $language driver" >&2
    "$cli" driver install "$language" --runtime process
done
