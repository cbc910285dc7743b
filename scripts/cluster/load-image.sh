#!/usr/bin/env bash
# Loads Docker images into the cluster cluster:up brought up: the local cluster's containerd
# (`docker save | ctr -n k8s.io images import`), or `kind load docker-image`.
#   scripts/cluster/load-image.sh IMAGE...
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/scripts/cluster/kind.sh"
[ $# -gt 0 ] || die "usage: load-image.sh IMAGE..."
CLUSTER_BACKEND=
# shellcheck disable=SC1090
[ -f "$CLUSTER_ENV" ] && source "$CLUSTER_ENV"
case ${CLUSTER_BACKEND:-} in
  local)
    log "loading $* into the local cluster's containerd (k8s.io namespace)"
    docker save "$@" | ctr_ images import - >/dev/null ;;
  kind)
    log "kind load docker-image $*"
    kind_load "$@" ;;
  existing)
    ctx=$("$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" config current-context 2>/dev/null || true)
    if [[ $ctx == kind-* ]] && [ -x "$KIND_BIN" ]; then
      "$KIND_BIN" load docker-image --name "${ctx#kind-}" "$@"
    else
      die "the configured cluster ($ctx) is not one this script can load images into; push $* yourself"
    fi ;;
  *) die "no cluster is up (npm run cluster:up)" ;;
esac
