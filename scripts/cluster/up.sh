#!/usr/bin/env bash
# npm run cluster:up — brings up a Kubernetes cluster for the project and writes the kubeconfig that
# the other scripts and the tests use ($CACHE_DIR/kubeconfig). Idempotent. Backends, in order:
#   existing  KUBECONFIG (or AUTOPILOT_KUBECONFIG) points at a reachable cluster: use it as it is
#   kind      kind can run here (privileged containers work and its node image is present)
#   local     upstream Kubernetes built from source, run in the network namespace autopilot-k8s
# AUTOPILOT_CLUSTER=existing|kind|local forces one. See docs/cluster.md.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/scripts/cluster/local.sh"
source "$REPO_ROOT/scripts/cluster/kind.sh"
t0=$SECONDS
want=${AUTOPILOT_CLUSTER:-auto}

finish() {
  echo "CLUSTER_BACKEND=$1" > "$CLUSTER_ENV"
  log "cluster ($1) ready in $((SECONDS - t0))s"
  kubectl=$K8S_BIN/kubectl; [ -x "$kubectl" ] || kubectl=kubectl
  "$kubectl" --kubeconfig "$KUBECONFIG_OUT" get nodes -o wide >&2 || true
  echo >&2
  echo "export KUBECONFIG=$KUBECONFIG_OUT" >&2
  exit 0
}

# The backend already up stays as it is.
if [ "$want" = auto ] && [ -f "$CLUSTER_ENV" ]; then
  # shellcheck disable=SC1090
  source "$CLUSTER_ENV"
  case ${CLUSTER_BACKEND:-} in
    local) local_up; finish local ;;
    kind) [ -x "$KIND_BIN" ] && kind_up && finish kind ;;
    existing) [ -n "${AUTOPILOT_KUBECONFIG:-${KUBECONFIG:-}}" ] && want=existing ;;
  esac
fi

existing_kc=${AUTOPILOT_KUBECONFIG:-${KUBECONFIG:-}}
if [ "$want" = existing ] || { [ "$want" = auto ] && [ -n "$existing_kc" ] && [ "$existing_kc" != "$KUBECONFIG_OUT" ]; }; then
  [ -n "$existing_kc" ] || die "AUTOPILOT_CLUSTER=existing needs KUBECONFIG or AUTOPILOT_KUBECONFIG"
  kubectl=$K8S_BIN/kubectl; [ -x "$kubectl" ] || kubectl=$(command -v kubectl || true)
  if [ -n "$kubectl" ] && "$kubectl" --kubeconfig "$existing_kc" --request-timeout=5s get --raw /readyz >/dev/null 2>&1; then
    log "using the cluster configured in $existing_kc"
    "$kubectl" --kubeconfig "$existing_kc" config view --raw --minify --flatten > "$KUBECONFIG_OUT"
    finish existing
  fi
  [ "$want" = existing ] && die "the cluster in $existing_kc is not reachable"
  log "KUBECONFIG=$existing_kc does not answer; not using it"
fi

# In auto mode kind is only a candidate where a Docker daemon already runs (kind users have one);
# starting dockerd just to probe would cost every warm start here. kind itself is built only once
# the probe says it can run.
if [ "$want" = kind ] || { [ "$want" = auto ] && docker info >/dev/null 2>&1; }; then
  log "checking whether kind can run here"
  if reason=$(kind_unusable_reason); then
    kind_build
    kind_up
    finish kind
  fi
  [ "$want" = kind ] && die "kind cannot run here: $reason"
  log "kind cannot run here ($reason); using the local cluster"
fi

local_up
finish local
