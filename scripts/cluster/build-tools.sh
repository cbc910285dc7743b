#!/usr/bin/env bash
# Builds the smaller Go tools from their modules (none has replace directives, so plain
# `go install module@version`), cached under $CACHE_DIR/tools/<name>/<version>/ and linked into
# $TOOLS_BIN. Prints the path.
#   scripts/cluster/build-tools.sh crictl|coredns|kind|helm|local-path-provisioner
source "$(dirname "$0")/common.sh"
name=$1
extra_ldflags=
case $name in
  crictl) ver=$CRICTL_VERSION; pkg=sigs.k8s.io/cri-tools/cmd/crictl ;;
  coredns) ver=$COREDNS_VERSION; pkg=github.com/coredns/coredns ;;
  kind) ver=$KIND_VERSION; pkg=sigs.k8s.io/kind ;;
  # helm's version is a link-time variable (its Makefile sets it from the git tag); without it
  # `helm version` says "v4.3".
  helm) ver=$HELM_VERSION; pkg=helm.sh/helm/v4/cmd/helm
    extra_ldflags="-X helm.sh/helm/v4/internal/version.version=$ver" ;;
  # the kind node image's default StorageClass (docker/kind-node/manifests/default-storage.yaml)
  local-path-provisioner) ver=$LOCAL_PATH_PROVISIONER_VERSION; pkg=github.com/rancher/local-path-provisioner ;;
  *) die "unknown tool $name" ;;
esac
dir="$CACHE_DIR/tools/$name/$ver"
mkdir -p "$TOOLS_BIN"
if [ ! -x "$dir/$name" ]; then
  command -v go >/dev/null || die "the Go toolchain is needed to build $name $ver"
  log "building $name $ver from its Go module ($pkg; a minute or two, cached afterwards)"
  mkdir -p "$dir"
  mkdir -p "$CACHE_DIR/logs"
  GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    go_with_progress "go install $name" "$CACHE_DIR/logs/build-$name.log" go install -v -trimpath -ldflags "-s -w $extra_ldflags" "$pkg@$ver"
fi
ln -sfn "$dir/$name" "$TOOLS_BIN/$name"
echo "$dir/$name"
