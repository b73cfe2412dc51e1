#!/bin/sh
# Prepare the Ruby driver's native parser into BUILD_DIR (docs/writing-a-driver.md).
#
#   sh prepare.sh BUILD_DIR
#
# The parser is Ruby's own Ripper, and the native program (native/*.rb) uses only Ruby's
# standard library (ripper, json): there is nothing to download, compile or pin beyond the
# Debian package `ruby` (host-packages.txt). Preparing checks that the `ruby` on the PATH can
# run the native program (Ruby >= 2.7, with Ripper and JSON) by parsing a sample with it, and
# records that Ruby's version in BUILD_DIR/toolchain.txt. The same recipe runs in the image's
# build stage (driver_runtime/drivers/driver.Dockerfile) and for the process runtime (`bblfsh-lsp driver install ruby
# --runtime process`).
set -eu

build="${1:?usage: sh prepare.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v ruby >/dev/null 2>&1; then
    echo "prepare: ruby is not installed (Debian: apt-get install ruby)" >&2
    exit 1
fi

ruby --disable-gems -e '
  v = RUBY_VERSION.split(".").map(&:to_i)
  abort "prepare: Ruby #{RUBY_VERSION} is too old (2.7 or later is needed)" if (v <=> [2, 7]) < 0
  require "ripper"
  require "json"
'

answer="$(printf '%s\n' '{"content": "def f(a) = a + 1\n", "filename": "check.rb"}' \
    | ruby --disable-gems "$here/native/parse.rb")"
case "$answer" in
    *'"@type":"def"'*) ;;
    *) echo "prepare: the native parser did not answer as expected: $answer" >&2; exit 1 ;;
esac

mkdir -p "$build"
{
    echo "ruby: $(ruby --disable-gems -e 'print RUBY_DESCRIPTION')"
    echo "native: $here/native/parse.rb (Ripper, json; standard library only)"
} > "$build/toolchain.txt"
echo "prepare: $(head -n 1 "$build/toolchain.txt")"
