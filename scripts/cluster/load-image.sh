#!/usr/bin/env bash
# Loads images from the project's engine into the cluster cluster:up brought up: the kind node
# (kind_load, scripts/cluster/kind.sh), or the local cluster's containerd (`save | ctr images import`).
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
    engine save "$@" | ctr_ images import - >/dev/null ;;
  kind)
    log "loading $* into the kind node"
    kind_load "$@" ;;
  existing)
    ctx=$("$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" config current-context 2>/dev/null || true)
    if [[ $ctx == kind-* ]]; then
      KIND_CLUSTER_NAME=${ctx#kind-} KIND_NODE=${ctx#kind-}-control-plane kind_load "$@"
    else
      die "the configured cluster ($ctx) is not one this script can load images into; push $* yourself"
    fi ;;
  *) die "no cluster is up (npm run cluster:up)" ;;
esac
