#!/bin/sh
# sh prepare.sh BUILD_DIR: the TypeScript driver runs the JavaScript driver's native parser
# (Babel's, with its TypeScript plugin), prepared by the JavaScript driver's recipe.
set -eu
exec sh "$(cd "$(dirname "$0")" && pwd)/../javascript/prepare.sh" "$@"
