#!/usr/bin/env bash
# Build the base image bblfsh-lsp/base:bookworm from a debootstrap minbase rootfs
# and `docker import` it. No container registry is involved.
#
#   sudo images/base/build.sh               # build unless the image already exists
#   sudo images/base/build.sh --force       # rebuild (re-uses the cached .deb tarball)
#   sudo images/base/build.sh --refresh     # re-download the .debs, then rebuild
#   sudo images/base/build.sh --no-upgrade  # skip `apt-get upgrade` from bookworm-updates
#                                           # and -security (fully offline rebuild)
#   sudo images/base/build.sh --no-host-ca  # do not copy the host's local CA certificates
#   options: --tag NAME:TAG  --mirror URL  --suite NAME  --cache-dir DIR
#
# Local CAs: the host's /usr/local/share/ca-certificates/*.crt (e.g. the CA of a
# TLS-intercepting egress proxy) are copied to the same place in the image, so any
# derived image that runs `apt-get install ca-certificates` trusts them too and
# pip/npm over HTTPS work inside `docker build`. Without them: CERTIFICATE_VERIFY_FAILED.
#
# Needs root (debootstrap), a running engine (scripts/setup-docker.sh) and,
# on the first run, the Debian mirror (apt's own, read from /etc/apt/sources.list*).
# The downloaded packages are cached as a debootstrap --make-tarball tarball in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/bblfsh-lsp/debootstrap/
# so later rebuilds unpack from it without downloading the base system again.
set -euo pipefail

SUITE=bookworm
TAG=""
MIRROR="${DEBIAN_MIRROR:-}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-}"
CACHE_DIR="${BBLFSH_LSP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/bblfsh-lsp}/debootstrap"
FORCE=0 REFRESH=0 UPGRADE=1 HOST_CA=1

log() { printf '[base/build] %s\n' "$*" >&2; }
die() { printf '[base/build] ERROR: %s\n' "$*" >&2; exit 1; }

while (($#)); do
    case "$1" in
        --force) FORCE=1 ;;
        --refresh) REFRESH=1 FORCE=1 ;;
        --no-upgrade) UPGRADE=0 ;;
        --no-host-ca) HOST_CA=0 ;;
        --tag) TAG="$2"; shift ;;
        --mirror) MIRROR="$2"; shift ;;
        --suite) SUITE="$2"; shift ;;
        --cache-dir) CACHE_DIR="$2"; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) die "unknown argument: $1" ;;
    esac
    shift
done
TAG="${TAG:-bblfsh-lsp/base:$SUITE}"
ARCH="$(dpkg --print-architecture)"

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap needs it)"
command -v debootstrap >/dev/null || die "debootstrap missing: run scripts/setup-docker.sh"
timeout 10 docker info >/dev/null 2>&1 || die "no Docker engine answers: run scripts/setup-docker.sh"

if [[ $FORCE == 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
    log "$TAG already exists (use --force to rebuild):"
    docker image ls "$TAG" >&2
    exit 0
fi

# ------------------------------------------------------------------ mirror
# URIs that apt is configured with, deb822 (*.sources) and one-line (*.list) styles.
apt_uris() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
    done
}
probe() {  # does $1 serve dists/$2/Release ?
    if command -v curl >/dev/null; then curl -fsS -o /dev/null -m 15 "$1/dists/$2/Release" 2>/dev/null
    elif command -v wget >/dev/null; then wget -q -O /dev/null -T 15 "$1/dists/$2/Release"
    else return 0; fi  # cannot probe: trust it
}
pick_mirror() {  # $1 = suite, $2 = regex the URI path must match; prints the first that works
    local u
    for u in $(apt_uris | sed 's:/*$::' | grep -E "$2" | awk '!seen[$0]++') "$3"; do
        if probe "$u" "$1"; then echo "$u"; return 0; fi
        log "mirror $u does not serve $1, skipping"
    done
    return 1
}
if [[ -z $MIRROR ]]; then
    MIRROR=$(pick_mirror "$SUITE" '/debian$' http://deb.debian.org/debian) || die "no working Debian mirror for $SUITE"
fi
if [[ -z $SECURITY_MIRROR ]]; then
    SECURITY_MIRROR=$(pick_mirror "$SUITE-security" '/debian-security$' http://deb.debian.org/debian-security) \
        || { log "no working security mirror: the image gets no $SUITE-security source"; SECURITY_MIRROR=""; }
fi
log "mirror: $MIRROR   security: ${SECURITY_MIRROR:-none}"

# ------------------------------------------------------------------ work dirs
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock -w 900 9 || die "another build holds $CACHE_DIR/.lock"
DEBS_TGZ="$CACHE_DIR/$SUITE-minbase-$ARCH.debs.tgz"
WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/bblfsh-lsp-base.XXXXXX")"
ROOTFS="$WORK/rootfs"
cleanup() {
    mountpoint -q "$ROOTFS/proc" 2>/dev/null && umount -l "$ROOTFS/proc"
    rm -rf "$WORK"
}
trap cleanup EXIT
T0=$(date +%s%N)
t() { local ms=$((($(date +%s%N) - T0) / 1000000)); printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)); }

# ------------------------------------------------------------------ debootstrap
if [[ $REFRESH == 1 || ! -s $DEBS_TGZ ]]; then
    log "downloading the $SUITE minbase packages into $DEBS_TGZ"
    debootstrap --variant=minbase --arch="$ARCH" --make-tarball="$DEBS_TGZ.tmp" \
        "$SUITE" "$WORK/dl" "$MIRROR" >"$WORK/debootstrap-dl.log" 2>&1 \
        || { tail -n 20 "$WORK/debootstrap-dl.log" >&2; die "debootstrap --make-tarball failed"; }
    mv -f "$DEBS_TGZ.tmp" "$DEBS_TGZ"
fi
log "debootstrap --variant=minbase $SUITE (from $DEBS_TGZ) [$(t)]"
debootstrap --variant=minbase --arch="$ARCH" --unpack-tarball="$DEBS_TGZ" \
    "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed (try --refresh)"; }

# ------------------------------------------------------------------ configure
# apt sources inside the image (deb822, like Debian's own images)
rm -f "$ROOTFS/etc/apt/sources.list"
{
    echo "Types: deb"
    echo "URIs: $MIRROR"
    echo "Suites: $SUITE $SUITE-updates"
    echo "Components: main"
    echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    if [[ -n $SECURITY_MIRROR ]]; then
        echo
        echo "Types: deb"
        echo "URIs: $SECURITY_MIRROR"
        echo "Suites: $SUITE-security"
        echo "Components: main"
        echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    fi
} >"$ROOTFS/etc/apt/sources.list.d/debian.sources"

# Keep images small: the same tweaks as Debian's official (debuerreotype) slim images.
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
# Delete .debs after each install and keep no binary package caches.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-no-languages" <<'EOF'
Acquire::Languages "none";
EOF
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-gzip-indexes" <<'EOF'
Acquire::GzipIndexes "true";
EOF
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-autoremove-suggests" <<'EOF'
APT::AutoRemove::SuggestsImportant "false";
EOF
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-no-recommends" <<'EOF'
# bblfsh-lsp: driver images install only what they ask for.
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-apt-speedup" <<'EOF'
force-unsafe-io
EOF
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
# No docs, man pages or translations in images (copyright files are kept).
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
if [[ $HOST_CA == 1 ]] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
    cp -L /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
    chmod 644 "$ROOTFS"/usr/local/share/ca-certificates/*.crt
    log "copied host CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
# Never start services from maintainer scripts inside the image.
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"

if [[ $UPGRADE == 1 ]]; then
    log "apt-get upgrade from $SUITE-updates / $SUITE-security [$(t)]"
    cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
    mount -t proc proc "$ROOTFS/proc"
    if ! chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        sh -c 'apt-get update -qq && apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade' \
        >"$WORK/upgrade.log" 2>&1; then
        tail -n 20 "$WORK/upgrade.log" >&2
        die "apt-get upgrade in the rootfs failed (use --no-upgrade to skip it)"
    fi
    grep -E '^(Inst|Setting up) ' "$WORK/upgrade.log" | head -n 5 >&2 || true
    umount -l "$ROOTFS/proc"
fi

# ------------------------------------------------------------------ slim down
(
    cd "$ROOTFS"
    rm -rf var/cache/apt/archives/*.deb var/cache/apt/archives/partial/* var/cache/apt/*.bin \
        var/lib/apt/lists/* var/cache/debconf/*-old var/cache/ldconfig/aux-cache \
        var/log/* tmp/* var/tmp/* root/.bash_history
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    rm -rf usr/share/man/* usr/share/groff/* usr/share/info/* usr/share/lintian/* usr/share/linda/* usr/share/locale/*
    mkdir -p var/lib/apt/lists/partial
    # Host identity must not leak into the image; docker bind-mounts these three.
    : >etc/resolv.conf
    echo localhost >etc/hostname
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >etc/hosts
    : >etc/machine-id
    [[ -e var/lib/dbus/machine-id ]] && rm -f var/lib/dbus/machine-id
    true
)
log "rootfs is $(du -sh --apparent-size "$ROOTFS" | cut -f1) [$(t)]"

# ------------------------------------------------------------------ import
OLD_ID="$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)"
CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
DEBVER="$(cat "$ROOTFS/etc/debian_version")"
tar --numeric-owner --xattrs --xattrs-include='*' -C "$ROOTFS" -cf - . \
    | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["bash"]' \
        --change "LABEL org.opencontainers.image.created=$CREATED" \
        --change "LABEL org.opencontainers.image.title=bblfsh-lsp-base" \
        --change "LABEL org.opencontainers.image.description=debootstrap-minbase-$SUITE-$DEBVER" \
        --change "LABEL org.opencontainers.image.source=images/base/build.sh" \
        --message "debootstrap --variant=minbase $SUITE $MIRROR" \
        - "$TAG" >/dev/null
# Drop the image this build replaced, unless something (a tag, a container, a child
# image) still uses it: `docker image rm` refuses then, and that is fine.
if [[ -n $OLD_ID && $OLD_ID != "$(docker image inspect -f '{{.Id}}' "$TAG")" ]]; then
    docker image rm "$OLD_ID" >/dev/null 2>&1 && log "removed the replaced image ${OLD_ID:7:12}" || true
fi
SIZE=$(docker image inspect -f '{{.Size}}' "$TAG")
log "built $TAG: Debian $DEBVER, $((SIZE / 1000000)) MB, in $(t)"
docker image ls "$TAG" >&2
