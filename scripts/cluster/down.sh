#!/usr/bin/env bash
# npm run cluster:down — stops the cluster cluster:up started: every process, mount, interface and
# iptables rule of the local cluster (its network namespace is deleted), or the kind cluster. An
# existing cluster that cluster:up merely used is left alone. Caches (binaries, images) are kept.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/scripts/cluster/local.sh"
source "$REPO_ROOT/scripts/cluster/kind.sh"
CLUSTER_BACKEND=
# shellcheck disable=SC1090
[ -f "$CLUSTER_ENV" ] && source "$CLUSTER_ENV"
case ${CLUSTER_BACKEND:-} in
  kind) kind_down ;;
  existing) rm -f "$CLUSTER_ENV" "$KUBECONFIG_OUT"; log "left the existing cluster alone" ;;
  *) # local, or a partial local start that never wrote cluster.env
    if [ -e "$NETNS_PATH" ] || ls "$CLUSTER_RUN"/*.pid >/dev/null 2>&1 || [ -n "$(our_mounts)" ]; then
      local_down
    fi
    rm -f "$CLUSTER_ENV" "$KUBECONFIG_OUT" ;;
esac
log "cluster down"
