#!/usr/bin/env bash
# Install and start a Docker engine (plus runc and debootstrap) on a Debian
# bookworm machine, as root. Idempotent: safe to run again and again.
#
#   sudo scripts/setup-docker.sh            # install what is missing, start dockerd if needed
#   scripts/setup-docker.sh --check         # only report; exit 1 if no engine answers
#
# Environment knobs:
#   DOCKERD_TIMEOUT=60            seconds to wait for `docker info` after starting dockerd
#   DOCKERD_LOG=/var/log/bblfsh-lsp-dockerd.log
#   DOCKER_STORAGE_DRIVER=        force a storage driver (default: overlay2 if the kernel
#                                 has overlayfs, else vfs)
#   DOCKERD_EXTRA_ARGS=           extra flags appended to the dockerd command line
#   SKIP_APT=1                    never call apt-get (fail if a package is missing)
#
# Facts about the reference VM (Firecracker, Debian bookworm, kernel 6.18, no systemd
# as PID 1, hybrid cgroup v1 + v2 "unified" mount, no kernel modules to load):
#   * Debian's docker.io 20.10.24 + containerd 1.6.20 + runc 1.1.5 work out of the box
#     with the overlay2 storage driver and the cgroupfs cgroup driver (cgroup v1).
#   * crun does NOT work here (hybrid cgroups); runc does. We never install crun.
#   * iptables: both iptables-nft (Debian's default alternative) and iptables-legacy
#     work in this kernel; if the nft one fails we switch the alternative to legacy,
#     and if both fail we start dockerd with --iptables=false (containers then have no
#     outbound NAT: builds need `docker build --network host`).
#   * There is no systemd, so `systemctl start docker` is not an option: dockerd is
#     started in the background with setsid/nohup and logs to $DOCKERD_LOG.
set -euo pipefail

DOCKERD_TIMEOUT="${DOCKERD_TIMEOUT:-60}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/bblfsh-lsp-dockerd.log}"
PACKAGES=(docker.io runc containerd tini iptables debootstrap ca-certificates openssh-server openssh-client)

log() { printf '[setup-docker] %s\n' "$*" >&2; }
die() { printf '[setup-docker] ERROR: %s\n' "$*" >&2; exit 1; }

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

CHECK_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK_ONLY=1 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) die "unknown argument: $arg" ;;
    esac
done

if [[ $CHECK_ONLY == 1 ]]; then
    if command -v docker >/dev/null && engine_answers; then
        docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}'
        exit 0
    fi
    log "no Docker engine answers"; exit 1
fi

[[ $(id -u) == 0 ]] || die "must run as root (try: sudo $0)"

# ---------------------------------------------------------------- packages
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if (( ${#missing[@]} )); then
    [[ ${SKIP_APT:-0} == 1 ]] && die "missing packages and SKIP_APT=1: ${missing[*]}"
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # --no-install-recommends: skips apparmor, git, needrestart, cgroupfs-mount...
    # none of which the engine needs here.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    log "packages already installed: ${PACKAGES[*]}"
fi

# The docker.io package puts its client in /usr/bin/docker; a newer client may
# shadow it in /usr/local/bin (the reference VM has 28.x). Either works: the client
# negotiates the API version down to the engine's (1.41 for 20.10).
command -v docker >/dev/null || die "no docker client on PATH after install"

if engine_answers; then
    log "a Docker engine already answers:"
    docker version --format '  engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}' >&2
    exit 0
fi

# ---------------------------------------------------------------- systemd host?
# On a normal Debian host with systemd as PID 1, let systemd own the daemon.
if [[ "$(ps -p 1 -o comm= 2>/dev/null)" == systemd ]] && command -v systemctl >/dev/null; then
    log "systemd is PID 1: systemctl start docker"
    systemctl start docker.socket docker.service || true
    for ((i = 0; i < DOCKERD_TIMEOUT; i++)); do engine_answers && { log "engine is up (systemd)"; exit 0; }; sleep 1; done
    die "docker.service did not answer within ${DOCKERD_TIMEOUT}s: see journalctl -u docker"
fi

# ---------------------------------------------------------------- cgroups
# dockerd/runc need cgroup hierarchies mounted. Most machines have them; if
# /sys/fs/cgroup is empty, mount a pure cgroup v2 tree (runc 1.1 supports it).
if ! mountpoint -q /sys/fs/cgroup && [[ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]]; then
    log "/sys/fs/cgroup is not mounted: mounting cgroup2"
    mount -t cgroup2 none /sys/fs/cgroup || die "could not mount cgroup2 on /sys/fs/cgroup"
fi

# ---------------------------------------------------------------- iptables
dockerd_args=(--host=unix:///var/run/docker.sock --exec-opt native.cgroupdriver=cgroupfs)
if ! iptables -t nat -L -n >/dev/null 2>&1; then
    if command -v iptables-legacy >/dev/null && iptables-legacy -t nat -L -n >/dev/null 2>&1; then
        log "iptables-nft does not work here: switching to iptables-legacy"
        update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
        update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null || true
    else
        log "WARNING: no working iptables: starting dockerd with --iptables=false" \
            "(no outbound NAT for containers; use --network host for builds)"
        dockerd_args+=(--iptables=false --ip-masq=false)
    fi
fi

# ---------------------------------------------------------------- storage driver
if [[ -n "${DOCKER_STORAGE_DRIVER:-}" ]]; then
    dockerd_args+=(--storage-driver "$DOCKER_STORAGE_DRIVER")
elif grep -qw overlay /proc/filesystems; then
    dockerd_args+=(--storage-driver overlay2)
else
    log "WARNING: kernel has no overlayfs: using the (slow, big) vfs storage driver"
    dockerd_args+=(--storage-driver vfs)
fi

# ---------------------------------------------------------------- MTU
# The reference VM's uplink has MTU 1400 while docker0 defaults to 1500. Path-MTU
# discovery copes here, but a bridge MTU above the uplink's is a classic cause of
# stalled TLS downloads inside `docker build`; match the uplink's when smaller.
uplink=$(ip route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')
if [[ -n $uplink && -r /sys/class/net/$uplink/mtu ]]; then
    mtu=$(cat "/sys/class/net/$uplink/mtu")
    if ((mtu < 1500)); then dockerd_args+=(--mtu "$mtu"); fi
fi

# ---------------------------------------------------------------- start dockerd
# A live (non-zombie) dockerd: a dockerd killed a moment ago can linger as a zombie.
# shellcheck disable=SC2009
dockerd_alive() { ps -C dockerd -o stat= 2>/dev/null | grep -qv '^Z'; }

# Remove pid file $1 unless it names a live (non-zombie) process called $2.
clear_stale_pidfile() {
    local pidfile=$1 name=$2 pid
    [[ -f $pidfile ]] || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ -z "$pid" ]] || [[ "$(ps -p "$pid" -o comm= 2>/dev/null)" != "$name" ]] \
        || [[ "$(ps -p "$pid" -o stat= 2>/dev/null)" == Z* ]]; then
        rm -f "$pidfile"
    fi
}

start_dockerd() {
    # After a kill -9, dockerd and its containerd can linger for a second or two as
    # zombies (PID 1 here reaps lazily). Their pid files then make dockerd refuse to
    # start ("pid file found, ensure docker is not running") or wait 15s for the dead
    # containerd ("containerd is still running" ... "timeout waiting for containerd").
    local j
    # shellcheck disable=SC2009
    for ((j = 0; j < 10; j++)); do
        ps -C dockerd,containerd -o stat= 2>/dev/null | grep -q '^Z' || break
        sleep 0.5
    done
    clear_stale_pidfile /var/run/docker.pid dockerd
    clear_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
    # shellcheck disable=SC2206
    dockerd_args+=(${DOCKERD_EXTRA_ARGS:-})
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    log "starting: dockerd ${dockerd_args[*]} (log: $DOCKERD_LOG)"
    echo "=== $(date -Is) dockerd ${dockerd_args[*]}" >>"$DOCKERD_LOG"
    # setsid: own session, so the daemon outlives this script and its terminal.
    setsid nohup dockerd "${dockerd_args[@]}" </dev/null >>"$DOCKERD_LOG" 2>&1 &
}

started=0 gone=0
if dockerd_alive; then log "a dockerd process exists but does not answer yet; waiting for it"; fi
for ((i = 0; i < DOCKERD_TIMEOUT; i++)); do
    if engine_answers; then
        log "engine is up after ${i}s:"
        docker version --format '  engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}' >&2
        docker info --format '  storage={{.Driver}} cgroup={{.CgroupDriver}} v{{.CgroupVersion}} runtime={{.DefaultRuntime}}' >&2
        exit 0
    fi
    if dockerd_alive; then
        gone=0
    elif ((started == 0)); then
        start_dockerd
        started=1
    elif ((++gone >= 2)); then  # two misses in a row: one can be the instant before exec
        log "dockerd exited; last lines of $DOCKERD_LOG:"
        tail -n 30 "$DOCKERD_LOG" >&2
        die "dockerd failed to start"
    fi
    sleep 1
done
log "last lines of $DOCKERD_LOG:"
tail -n 30 "$DOCKERD_LOG" >&2
die "dockerd did not answer 'docker info' within ${DOCKERD_TIMEOUT}s"
