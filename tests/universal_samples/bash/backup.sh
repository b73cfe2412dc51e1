#!/usr/bin/env bash
# Rotate and compress the nightly backups of a data folder.
set -euo pipefail

readonly BACKUP_ROOT="/var/backups/app"
declare -r MAX_KEEP=7
LOG_FILE="${LOG_FILE:-/tmp/backup.log}"
verbose=0

log() {
    local level="$1"; shift
    printf '%s [%s] %s\n' "$(date +%FT%T)" "$level" "$*" >> "$LOG_FILE"
    if (( verbose )); then
        echo "[$level] $*" >&2
    fi
}

function usage {
    cat <<USAGE
Usage: ${0##*/} [-v] SOURCE
Copies SOURCE into $BACKUP_ROOT and keeps the last $MAX_KEEP archives.
USAGE
}

rotate() {
    local dir=$1
    local -a archives=()
    while IFS= read -r file; do
        archives+=("$file")
    done < <(ls -1t "$dir"/*.tar.gz 2>/dev/null)
    for old in "${archives[@]:MAX_KEEP}"; do
        log info "removing $old"
        rm -f -- "$old"
    done
}

main() {
    while getopts "vh" opt; do
        case "$opt" in
            v) verbose=1 ;;
            h) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
    done
    shift $((OPTIND - 1))
    [[ $# -eq 1 ]] || { usage >&2; exit 2; }

    local source=$1 stamp
    stamp=$(date +%Y%m%d)
    mkdir -p "$BACKUP_ROOT"
    tar -czf "$BACKUP_ROOT/backup-$stamp.tar.gz" -C "$source" . \
        && log info "archived $source" \
        || { log error "tar failed"; return 1; }
    rotate "$BACKUP_ROOT"
}

main "$@"
