#!/usr/bin/env bash
# Builds the MongoDB-wire test server (FerretDB v1 embedded, SQLite backend) used by tests/store.
# Idempotent: the binary is rebuilt only when its sources or the Go version change.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$root/tests/servers/ferretdb"
bin_dir="${CHATOPS_CACHE:-$HOME/.cache/chatops}/bin"
binary="$bin_dir/ferretdb-test"
stamp="$binary.sources"

digest="$( (cat "$src/main.go" "$src/go.mod" "$src/go.sum"; go version) | sha256sum | cut -d' ' -f1)"
if [[ -x "$binary" && -f "$stamp" && "$(cat "$stamp")" == "$digest" ]]; then
    echo "store: $binary is up to date (sources $digest)"
    exit 0
fi

mkdir -p "$bin_dir"
echo "store: building $binary from $src with $(go version)"
start=$SECONDS
(cd "$src" && go build -trimpath -o "$binary.tmp" .)
mv "$binary.tmp" "$binary"
echo "$digest" > "$stamp"
echo "store: built $binary in $((SECONDS - start)) s"
