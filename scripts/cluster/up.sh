#!/usr/bin/env bash
# npm run cluster:up — brings up a Kubernetes cluster for the project and writes the kubeconfig that
# the other scripts and the tests use ($CACHE_DIR/kubeconfig). Idempotent. Backends, in order:
#   existing  KUBECONFIG (or AUTOPILOT_KUBECONFIG) points at a reachable cluster: use it as it is
#   kind      kind on docker or podman, with kind's node image or one built here offline (kind.sh)
# AUTOPILOT_CLUSTER=existing|kind forces one. See docs/cluster.md.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/scripts/cluster/kind.sh"
t0=$SECONDS
want=${AUTOPILOT_CLUSTER:-auto}

finish() {
  echo "CLUSTER_BACKEND=$1" > "$CLUSTER_ENV"
  log "cluster ($1) ready in $((SECONDS - t0))s"
  kubectl=$K8S_BIN/kubectl; [ -x "$kubectl" ] || kubectl=kubectl
  "$kubectl" --kubeconfig "$KUBECONFIG_OUT" get nodes -o wide >&2 || true
  # The tools the walk-through uses, as the project built them, on one PATH entry ($BIN_DIR): a
  # machine's own older kubectl or missing helm then does not get in the way.
  [ -x "$K8S_BIN/kubectl" ] && ln -sfn "$K8S_BIN/kubectl" "$BIN_DIR/kubectl"
  # helm installs the operator's chart: the pinned one is built when the machine has none
  if [ -x "$TOOLS_BIN/helm" ] || ! command -v helm >/dev/null; then
    ln -sfn "$(bash "$REPO_ROOT/scripts/cluster/build-tools.sh" helm)" "$BIN_DIR/helm"
  fi
  [ "$1" = kind ] && ln -sfn "$(kind_bin)" "$BIN_DIR/kind"
  echo >&2
  echo "export KUBECONFIG=$KUBECONFIG_OUT" >&2
  echo "export PATH=$BIN_DIR:\$PATH" >&2
  exit 0
}

# The backend already up stays as it is.
if [ "$want" = auto ] && [ -f "$CLUSTER_ENV" ]; then
  # shellcheck disable=SC1090
  source "$CLUSTER_ENV"
  case ${CLUSTER_BACKEND:-} in
    kind) kind_up; finish kind ;;
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

case $want in auto | kind) ;; *) die "AUTOPILOT_CLUSTER must be existing or kind (it is $want)" ;; esac
kind_up
finish kind
