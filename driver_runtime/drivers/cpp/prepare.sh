#!/bin/sh
# Prepare the C/C++ driver's native parser into BUILD_DIR (the one recipe of the image's
# Dockerfile and of `bblfsh-lsp driver install cpp --runtime process`):
#   sh prepare.sh BUILD_DIR
# installs the pinned Python bindings of libclang (native/requirements.txt) into BUILD_DIR/site
# and checks that they load libclang 14 (Debian's libclang1-14, see host-packages.txt).
# PYTHON names the interpreter whose pip installs them (default: python3).
set -eu
build="${1:?usage: sh prepare.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"

mkdir -p "$build"
"$python" -m pip install --quiet --no-deps --require-hashes --only-binary=:all: --no-cache-dir \
    --disable-pip-version-check --no-compile --target "$build/site" -r "$here/native/requirements.txt"
cp "$here/native/requirements.txt" "$build/requirements.txt"

# The bindings must find libclang: parse a line to be sure (the same search as the driver's).
"$python" -B - "$here/native" "$build" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import clang_ast
try:
    cindex = clang_ast.load_cindex(sys.argv[2])
    cindex.Index.create()
except Exception as exc:
    sys.exit(f"libclang 14 cannot be loaded ({exc}): install Debian's libclang1-14, "
             f"or name the library in ${clang_ast.LIBCLANG_ENV}")
print("prepared: clang bindings", cindex.__file__)
PY
