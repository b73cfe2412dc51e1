#!/bin/sh
# Build the Go driver's native parser into BUILD_DIR: `sh prepare.sh BUILD_DIR`.
# The one recipe for the image (driver_runtime/drivers/driver.Dockerfile) and the host (`bblfsh-lsp driver install go
# --runtime process`).  Needs the go command (Debian: golang-go); only Go's standard library
# is used, so nothing is downloaded.  Go's caches live in a temporary folder, removed after.
set -eu
build="${1:?usage: sh prepare.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/bblfsh-lsp-go-build.XXXXXX")"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
export GOCACHE="$scratch/cache" GOPATH="$scratch/gopath" GOMODCACHE="$scratch/gopath/pkg/mod"
export GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on CGO_ENABLED=0 GOENV=off GOTELEMETRY=off GOTOOLCHAIN=local
cd "$here/native"
go version
go build -trimpath -ldflags="-s -w" -o "$build/go-parser" .
go env GOVERSION > "$build/go-version.txt"
echo "built $build/go-parser"
