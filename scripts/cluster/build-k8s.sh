#!/usr/bin/env bash
# Builds the Kubernetes binaries of the kind node image (and the envtest assets) from the pinned
# k8s.io/kubernetes Go module, plus etcd (its server module, which Kubernetes itself requires) and
# kubectl, into $CACHE_DIR/k8s/$K8S_VERSION/bin. Cached: a second run returns at once.
#   scripts/cluster/build-k8s.sh            # all binaries
#   scripts/cluster/build-k8s.sh --envtest  # only etcd, kube-apiserver, kubectl (what tests need)
# Prints the bin directory on stdout.
source "$(dirname "$0")/common.sh"

out="$K8S_BIN"
mkdir -p "$out"
all=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl kubeadm etcd)
want=("${all[@]}")
[ "${1:-}" = "--envtest" ] && want=(etcd kube-apiserver kubectl)

missing=()
for b in "${want[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$out"; exit 0; fi
command -v go >/dev/null || die "the Go toolchain is needed to build Kubernetes $K8S_VERSION (run npm run setup)"

work="$CACHE_DIR/src/kubernetes-$K8S_VERSION"
mkdir -p "$work/cmd/etcd"
staging_version="v0.${K8S_VERSION#v1.}"
if [ ! -f "$work/go.mod" ]; then
  log "preparing the wrapper module for k8s.io/kubernetes $K8S_VERSION"
  # Upstream's go.mod replaces every staging module k8s.io/<name> with a directory; a wrapper module
  # pins each to its published version instead.
  upstream_mod=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
    | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  [ -f "$upstream_mod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION"
  {
    echo "module autopilot-k8s/build/kubernetes"
    echo
    sed -n 's/^go \(.*\)$/go \1/p; s/^godebug \(.*\)$/godebug \1/p' "$upstream_mod"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*$#\t\1 => \1 '"$staging_version"'#p' "$upstream_mod"
    echo ")"
  } > "$work/go.mod.tmp"
  mv "$work/go.mod.tmp" "$work/go.mod"
fi
# etcd: the same server module (and version) that k8s.io/kubernetes requires; its main is a one-liner.
cat > "$work/cmd/etcd/main.go" <<'GO'
// etcd, built from go.etcd.io/etcd/server/v3 at the version Kubernetes requires.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO

build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' \
  "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$K8S_VERSION.info" 2>/dev/null || true)
major=${K8S_VERSION#v}; major=${major%%.*}
minor=${K8S_VERSION#v*.}; minor=${minor%%.*}
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=${build_date:-1970-01-01T00:00:00Z}"
done

pkgs=()
for b in "${missing[@]}"; do
  if [ "$b" = etcd ]; then pkgs+=(./cmd/etcd); else pkgs+=("k8s.io/kubernetes/cmd/$b"); fi
done
log "building ${missing[*]} (Kubernetes $K8S_VERSION; tens of minutes on 2 cores the first time, cached afterwards)"
cd "$work"
export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$CACHE_DIR/logs"
log "  resolving modules (go get; downloads are cached in $(go env GOMODCACHE))"
go get "k8s.io/kubernetes@$K8S_VERSION" > "$CACHE_DIR/logs/go-get-kubernetes.log" 2>&1 \
  || { tail -20 "$CACHE_DIR/logs/go-get-kubernetes.log" >&2; die "go get k8s.io/kubernetes@$K8S_VERSION failed"; }
tmp="$out/.tmp.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
for pkg in "${pkgs[@]}"; do
  name=$(basename "$pkg")
  start=$SECONDS
  log "  go build $name"
  go_with_progress "go build $name" "$CACHE_DIR/logs/build-$name.log" \
    go build -v -trimpath -ldflags "$ldflags" -o "$tmp/$name" "$pkg"
  mv "$tmp/$name" "$out/$name"
  log "  $name done in $((SECONDS - start))s"
done
echo "$out"
