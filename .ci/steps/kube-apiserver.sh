#!/usr/bin/env bash
# Build the real Kubernetes API server used by tests/kube_real (Go program in
# tests/servers/kube-apiserver: kube-apiserver + embedded etcd) into the cache.
# Idempotent: the build is reused while Go's version, go.mod, go.sum and the Go
# sources are unchanged. Go's own caches (GOCACHE, GOMODCACHE) persist between
# runs on one machine, so even a rebuild after a source change mostly relinks.
# A fresh machine downloads the modules and compiles everything: measured
# times and memory are in tests/servers/kube-apiserver/README.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
src="$root/tests/servers/kube-apiserver"
cache="${CHATOPS_CACHE:-$HOME/.cache/chatops}"
bin="$cache/bin/kube-apiserver"
stamp="$bin.key"

command -v go >/dev/null || { echo "kube-apiserver: go not found on PATH" >&2; exit 1; }
key=$( (go version; cd "$src" && cat go.mod go.sum ./*.go) | sha256sum | cut -d' ' -f1)
if [[ -x $bin && -f $stamp && $(<"$stamp") == "$key" ]]; then
  echo "kube-apiserver: up to date, reusing $bin"
  exit 0
fi

mkdir -p "$cache/bin"
echo "kube-apiserver: building $bin with $(go version | cut -d' ' -f3) (GOCACHE=$(go env GOCACHE))"
start=$SECONDS
# -p 2: the machine has two cores shared with other work.
(cd "$src" && go build -p 2 -trimpath -buildvcs=false -ldflags='-s -w' -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
echo "$key" >"$stamp"
echo "kube-apiserver: built in $((SECONDS - start))s ($(du -h "$bin" | cut -f1))"
