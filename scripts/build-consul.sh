#!/usr/bin/env bash
# Makes a Consul binary available at $CACHE_DIR/bin/consul: the machine's own when its version fits,
# else built from the pinned Go module. Prints the path.
# Pinned to 1.21.0: the newest release whose nested modules (envoyextensions, troubleshoot) are
# published on the Go module proxy; 1.22.0 needs unpublished ones.
source "$(dirname "$0")/lib.sh"
CONSUL_VERSION="${CONSUL_VERSION:-1.21.0}"
MIN_MAJOR_MINOR="1.15"
target="$BIN_DIR/consul"

version_of() { "$1" version 2>/dev/null | sed -n 's/^Consul v\([0-9.]*\).*/\1/p' | head -1; }
fits() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$MIN_MAJOR_MINOR" "$1" | sort -V | head -1)" = "$MIN_MAJOR_MINOR" ]; }

if [ -x "$target" ] && [ "$(version_of "$target")" = "$CONSUL_VERSION" ]; then echo "$target"; exit 0; fi
if own=$(command -v consul 2>/dev/null) && [ "$own" != "$target" ] && fits "$(version_of "$own")"; then
  ln -sf "$own" "$target"; echo "$target"; exit 0
fi
command -v go >/dev/null || die "Go toolchain needed to build Consul (or put consul >= $MIN_MAJOR_MINOR on PATH)"

log "building Consul v$CONSUL_VERSION from its Go module (a few minutes on 2 cores; cached afterwards)"
work="$CACHE_DIR/src/consul-$CONSUL_VERSION"
mkdir -p "$work"
cat > "$work/go.mod" <<MOD
module autopilot-k8s/build/consul

go 1.25

require github.com/hashicorp/consul v$CONSUL_VERSION
MOD
cat > "$work/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/hashicorp/consul"
GO
(cd "$work" && GOFLAGS=-mod=mod go get "github.com/hashicorp/consul@v$CONSUL_VERSION" >&2)
(cd "$work" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-X github.com/hashicorp/consul/version.GitCommit=release -X github.com/hashicorp/consul/version.Version=$CONSUL_VERSION -X github.com/hashicorp/consul/version.VersionPrerelease=" \
  -o "$target.tmp" github.com/hashicorp/consul >&2)
mv "$target.tmp" "$target"
log "consul: $("$target" version | head -1)"
echo "$target"
