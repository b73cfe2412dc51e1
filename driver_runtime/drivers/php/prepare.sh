#!/bin/sh
# Prepare the PHP driver's native parser:  sh prepare.sh BUILD_DIR
#
# One recipe for the image (driver_runtime/drivers/driver.Dockerfile) and the process runtime (`bblfsh-lsp driver install php
# --runtime process`): PHP-Parser, from Debian's php-parser package, is checked against
# native/php-parser.lock and copied into BUILD_DIR/PhpParser, where native/parse.php loads it;
# then the parser is run once.  Needs php-cli and php-parser (host-packages.txt).
#   sh prepare.sh --digest     prints the digest of the installed PHP-Parser (for the lock file)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
lock="$here/native/php-parser.lock"
source_dir=${PHP_PARSER_DIR:-/usr/share/php/PhpParser}

fail() {
    echo "prepare.sh: $*" >&2
    exit 1
}

digest() {
    (cd "$source_dir/.." && find "$(basename "$source_dir")" -type f -print0 | LC_ALL=C sort -z \
        | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

[ -f "$source_dir/autoload.php" ] || fail "PHP-Parser is not installed in $source_dir (apt-get install php-parser)"
if [ "${1:-}" = "--digest" ]; then
    digest
    exit 0
fi
build=${1:?usage: sh prepare.sh BUILD_DIR}

command -v php >/dev/null 2>&1 || fail "php is not installed (apt-get install php-cli)"
want_php=$(sed -n 's/^php //p' "$lock")
have_php=$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
[ "$have_php" = "$want_php" ] || fail "PHP $have_php found, the lock file wants PHP $want_php"
want=$(sed -n 's/^sha256 //p' "$lock")
have=$(digest)
[ "$have" = "$want" ] || fail "the PHP-Parser in $source_dir is not the locked one ($(sed -n 's/^package //p' "$lock")):
digest $have, locked $want"

mkdir -p "$build"
rm -rf "$build/PhpParser"
cp -R "$source_dir" "$build/PhpParser"
sed -n 's/^package //p' "$lock" > "$build/VERSION"

# The parser must answer before the build is accepted.
answer=$(printf '%s\n' '{"content": "<?php f();", "filename": "check.php"}' | php "$here/native/parse.php" "$build")
case "$answer" in
    *'"Expr_FuncCall"'*) echo "prepared PHP-Parser $(cat "$build/VERSION") (PHP $have_php) in $build" ;;
    *) fail "the parser did not answer as expected: $answer" ;;
esac
