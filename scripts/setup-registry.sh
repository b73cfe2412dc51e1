#!/usr/bin/env bash
# Install the image registry the registry tests run (tests/test_registry*.py): Debian's
# docker-registry, the CNCF distribution registry 2.8, idempotently (a second run only checks).
#
#   scripts/setup-registry.sh [--no-apt]
#
# Only the program is used: the tests start their own `docker-registry serve CONFIG` on
# 127.0.0.1 and a free port, with a temporary storage folder, and stop it; the package's own
# service (systemd unit, port 5000) is not needed and is stopped if the package started it.
# The Docker engine pulls from and pushes to 127.0.0.1/localhost registries without TLS.
#
# Exit status: 0 ready, 3 a prerequisite is missing and cannot be installed here, else an error.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "[setup-registry] $*" >&2; }
missing_prerequisite() { say "$*"; exit 3; }
# shellcheck source=scripts/debian.sh
source scripts/debian.sh  # the working folder is the checkout's root

apt=1
[[ ${1:-} == --no-apt ]] && apt=0

fresh=0
dpkg-query -W -f='${Status}' docker-registry 2>/dev/null | grep -q 'ok installed' || fresh=1
install_debian_packages setup-registry.sh docker-registry
command -v docker-registry >/dev/null || missing_prerequisite "docker-registry is installed but not on PATH"

# A fresh install may have started the package's service (an init script where systemd is not
# PID 1): the tests do not use it, and it would hold port 5000 for nothing.
if (( fresh )) && [[ $(id -u) == 0 ]] && command -v service >/dev/null; then
    service docker-registry stop >/dev/null 2>&1 || true
fi
say "ready: $(docker-registry --version 2>&1 | head -n 1)"
