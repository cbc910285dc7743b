# shellcheck shell=bash
# kind backend: used when kind can run here (Docker can start privileged containers and the node image
# is present locally or AUTOPILOT_KIND_PULL=1 allows pulling it). Sourced by up.sh / down.sh / images.sh.
KIND_CLUSTER_NAME=autopilot-k8s
KIND_BIN="$TOOLS_BIN/kind"

# Prints why kind cannot be used (empty output and status 0 when it can); fast: no cluster is created.
# kind's nodes are privileged containers: probe that with an empty image (the probe fails either at
# applying the capabilities, as it does where CAP_SYS_RESOURCE is withheld, or later, at exec).
kind_unusable_reason() {
  bash "$REPO_ROOT/scripts/cluster/dockerd.sh" >/dev/null 2>&1 || { echo "no Docker daemon"; return 1; }
  local reasons=() err
  if ! docker image inspect autopilot-k8s/empty:probe >/dev/null 2>&1; then
    tar -cf - --files-from /dev/null | docker import - autopilot-k8s/empty:probe >/dev/null
  fi
  err=$(timeout 60 docker run --rm --privileged --network=none --entrypoint /probe autopilot-k8s/empty:probe 2>&1 || true)
  if grep -qiE 'apply caps|operation not permitted' <<<"$err"; then
    reasons+=("privileged containers fail: $(grep -oiE 'unable to apply caps[^"]*|operation not permitted' <<<"$err" | head -1)")
  fi
  if ! docker image inspect "$KIND_NODE_IMAGE" >/dev/null 2>&1; then
    if [ "${AUTOPILOT_KIND_PULL:-0}" = 1 ] && [ ${#reasons[@]} -eq 0 ]; then
      timeout 300 docker pull -q "$KIND_NODE_IMAGE" >/dev/null 2>&1 || reasons+=("docker pull $KIND_NODE_IMAGE failed")
    else
      reasons+=("node image $KIND_NODE_IMAGE not present locally and not pulled (AUTOPILOT_KIND_PULL=1 tries)")
    fi
  fi
  [ ${#reasons[@]} -eq 0 ] && return 0
  printf '%s; ' "${reasons[@]}" | sed 's/; $//'
  return 1
}

kind_build() { bash "$REPO_ROOT/scripts/cluster/build-tools.sh" kind >/dev/null; }

kind_up() {
  STEP_TOTAL=2
  step "kind cluster $KIND_CLUSTER_NAME ($KIND_NODE_IMAGE)"
  if ! "$KIND_BIN" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; then
    "$KIND_BIN" create cluster --name "$KIND_CLUSTER_NAME" --image "$KIND_NODE_IMAGE" --wait 180s \
      --kubeconfig "$KUBECONFIG_OUT"
  fi
  step "kubeconfig"
  "$KIND_BIN" export kubeconfig --name "$KIND_CLUSTER_NAME" --kubeconfig "$KUBECONFIG_OUT" >/dev/null 2>&1
}

kind_down() {
  "$KIND_BIN" delete cluster --name "$KIND_CLUSTER_NAME"
  rm -f "$CLUSTER_ENV" "$KUBECONFIG_OUT"
}

kind_load() { # kind_load IMAGE...
  "$KIND_BIN" load docker-image --name "$KIND_CLUSTER_NAME" "$@"
}
