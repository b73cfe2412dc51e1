# Sourced by the setup scripts: Debian packages, installed where missing.  Uses the caller's
# `say` and `missing_prerequisite`, and its `apt` (0: never run apt-get, only say what is missing).

install_debian_packages() {  # SCRIPT PACKAGE...
    local script=$1 package
    shift
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
    done
    (( ${#missing[@]} )) || return 0
    if (( ! apt )) || [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
        missing_prerequisite "missing Debian packages: ${missing[*]} (run scripts/$script as root)"
    fi
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || missing_prerequisite "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || missing_prerequisite "apt-get install ${missing[*]} failed"
}
