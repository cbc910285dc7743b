#!/usr/bin/env bash
# npm run cluster:down — deletes the kind cluster cluster:up made (its node container and volume, and
# kind's network when nothing else uses it), including a half-made one that never wrote cluster.env.
# An existing cluster that cluster:up merely used is left alone. Caches (binaries, images) are kept.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/scripts/cluster/kind.sh"
CLUSTER_BACKEND=
# shellcheck disable=SC1090
[ -f "$CLUSTER_ENV" ] && source "$CLUSTER_ENV"
case ${CLUSTER_BACKEND:-} in
  existing) rm -f "$CLUSTER_ENV" "$KUBECONFIG_OUT"; log "left the existing cluster alone" ;;
  *) kind_down ;;
esac
log "cluster down"
