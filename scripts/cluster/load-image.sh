#!/usr/bin/env bash
# Loads images from the project's engine into a kind cluster: the one cluster:up brought up, else the
# kind cluster of the current kubectl context (a cluster made with `kind create cluster` yourself).
# Images the node already has, by the same image ID, are skipped.
#   scripts/cluster/load-image.sh IMAGE...
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/scripts/cluster/kind.sh"
[ $# -gt 0 ] || die "usage: load-image.sh IMAGE..."
CLUSTER_BACKEND=
# shellcheck disable=SC1090
[ -f "$CLUSTER_ENV" ] && source "$CLUSTER_ENV"
if [ "$CLUSTER_BACKEND" != kind ]; then
  kc=$KUBECONFIG_OUT
  [ "$CLUSTER_BACKEND" = existing ] || kc=${KUBECONFIG:-$HOME/.kube/config}
  kubectl=$K8S_BIN/kubectl; [ -x "$kubectl" ] || kubectl=kubectl
  ctx=$("$kubectl" --kubeconfig "$kc" config current-context 2>/dev/null || true)
  [[ $ctx == kind-* ]] || die "no kind cluster to load $* into (npm run cluster:up, or a kind-* kubectl context); push them to your cluster's registry yourself"
  KIND_CLUSTER_NAME=${ctx#kind-}
  KIND_NODE=$KIND_CLUSTER_NAME-control-plane
fi
kind_load "$@"
