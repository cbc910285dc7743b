# shellcheck shell=bash
# The kind backend: the project's cluster. Sourced by up.sh, down.sh, load-image.sh (needs common.sh).
#   kind binary   the user's `kind` on PATH, else the pinned one built from its Go module
#   provider      the project's engine (scripts/cluster/engine.sh): docker, or podman
#                 (KIND_EXPERIMENTAL_PROVIDER=podman)
#   node image    kindest/node of the pinned minor when present or pullable, else the one
#                 scripts/cluster/node-image.sh builds offline from the project's own builds
KIND_CLUSTER_NAME=${AUTOPILOT_KIND_CLUSTER:-autopilot-k8s}
KIND_NODE="$KIND_CLUSTER_NAME-control-plane"
# Set while `kind create` runs: found at the next up, it means an interrupted create (a half-made
# cluster that kind may still list); that cluster is deleted and made again.
KIND_CREATING="$CACHE_DIR/kind-creating-$KIND_CLUSTER_NAME"
KIND_CONFIG="$CACHE_DIR/kind-config.yaml"

kind_bin() { command -v kind || bash "$REPO_ROOT/scripts/cluster/build-tools.sh" kind; }
kind_() {
  local provider
  provider=$(sed -n 's/^KIND_EXPERIMENTAL_PROVIDER=//p' "$ENGINE_ENV" 2>/dev/null || true)
  KIND_EXPERIMENTAL_PROVIDER=${provider:-${KIND_EXPERIMENTAL_PROVIDER:-}} "$(kind_bin)" "$@"
}

# kind's own node image when this machine has it or a registry gives it within a minute; otherwise
# the offline build. AUTOPILOT_KIND_IMAGE names one to use as it is.
kind_node_image() {
  if [ -n "${AUTOPILOT_KIND_IMAGE:-}" ]; then echo "$AUTOPILOT_KIND_IMAGE"; return; fi
  if engine image inspect "$KIND_NODE_IMAGE" >/dev/null 2>&1; then echo "$KIND_NODE_IMAGE"; return; fi
  if [ "${AUTOPILOT_KIND_PULL:-1}" = 1 ] && timeout 60 "$(engine_name)" pull -q "$KIND_NODE_IMAGE" >/dev/null 2>&1; then
    echo "$KIND_NODE_IMAGE"; return
  fi
  log "no registry gives $KIND_NODE_IMAGE here: building the node image offline (cached afterwards)"
  bash "$REPO_ROOT/scripts/cluster/node-image.sh"
}

# Hosts that withhold CAP_SYS_RESOURCE refuse a negative oom_score_adj, which the kubelet, kube-proxy
# and containerd set by default; a privileged node container gets no more than the host has.
oom_adj_refused() { ! (echo -1 > /proc/self/oom_score_adj) 2>/dev/null; }

kind_write_config() { # kind_write_config IMAGE
  {
    cat <<EOF
# Written by scripts/cluster/kind.sh for this host.
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: $KIND_CLUSTER_NAME
networking:
  apiServerAddress: 127.0.0.1
nodes:
  - role: control-plane
    image: $1
EOF
    if oom_adj_refused; then
      cat <<'EOF'
# This host refuses a negative oom_score_adj: the kubelet and kube-proxy keep 0, and containerd
# clamps what the kubelet asks for pods to its own.
containerdConfigPatches:
  - |-
    [plugins."io.containerd.grpc.v1.cri"]
      restrict_oom_score_adj = true
kubeadmConfigPatches:
  - |
    kind: KubeletConfiguration
    oomScoreAdj: 0
  - |
    kind: KubeProxyConfiguration
    oomScoreAdj: 0
EOF
    fi
  } > "$KIND_CONFIG"
}

kind_answers() {
  local kubectl=$K8S_BIN/kubectl
  [ -x "$kubectl" ] || kubectl=kubectl
  "$kubectl" --kubeconfig "$KUBECONFIG_OUT" --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}
kind_exists() { kind_ get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; }

kind_up() {
  STEP_TOTAL=4
  step "container engine"
  bash "$REPO_ROOT/scripts/cluster/engine.sh" >/dev/null
  if kind_exists && [ ! -f "$KIND_CREATING" ]; then
    # A stopped node (after a reboot) is started again; one that still does not answer is remade.
    engine start "$KIND_NODE" >/dev/null 2>&1 || true
    kind_ export kubeconfig --name "$KIND_CLUSTER_NAME" --kubeconfig "$KUBECONFIG_OUT" >/dev/null 2>&1 || true
    if wait_for 120 "the kind cluster $KIND_CLUSTER_NAME" kind_answers; then
      step "kind cluster $KIND_CLUSTER_NAME is up"
      return 0
    fi
    log "the kind cluster $KIND_CLUSTER_NAME does not answer: making it again"
  fi
  if kind_exists || [ -f "$KIND_CREATING" ]; then
    log "deleting the half-made kind cluster $KIND_CLUSTER_NAME"
    kind_ delete cluster --name "$KIND_CLUSTER_NAME" >/dev/null 2>&1 || true
  fi
  step "node image"
  local image
  image=$(kind_node_image)
  kind_write_config "$image"
  step "kind create cluster ($image)"
  touch "$KIND_CREATING"
  local t=$SECONDS
  kind_ create cluster --config "$KIND_CONFIG" --kubeconfig "$KUBECONFIG_OUT" --wait 300s
  rm -f "$KIND_CREATING"
  log "kind create cluster took $((SECONDS - t))s"
  step "kubeconfig"
  kind_ export kubeconfig --name "$KIND_CLUSTER_NAME" --kubeconfig "$KUBECONFIG_OUT" >/dev/null 2>&1
}

kind_down() {
  if kind_exists || [ -f "$KIND_CREATING" ]; then kind_ delete cluster --name "$KIND_CLUSTER_NAME"; fi
  rm -f "$CLUSTER_ENV" "$KUBECONFIG_OUT" "$KIND_CREATING"
  # kind leaves its network behind for the next cluster; with no cluster left on it, it goes too.
  if engine network inspect kind >/dev/null 2>&1 && [ -z "$(engine ps -aq --filter network=kind 2>/dev/null)" ]; then
    engine network rm kind >/dev/null 2>&1 || true
  fi
}

# Loads images from the engine into the kind node, skipping those it already has: each loaded image
# is labelled in the node with the engine's image ID. podman names a local image localhost/NAME, and
# kind's load keeps that name; the node also gets the name a pod spec's NAME means to containerd.
KIND_IMAGE_ID_LABEL=autopilot-k8s.image-id
kind_load() { # kind_load IMAGE...
  local archive="$CACHE_DIR/images/kind-load.tar" img stale=() t=$SECONDS
  local -A ids
  in_node() { engine exec "$KIND_NODE" "$@"; }
  for img in "$@"; do
    ids[$img]=$(engine image inspect -f '{{.Id}}' "$img")
    if [ -n "$(in_node ctr -n k8s.io images ls -q "name==$(image_ref "$img"),labels.\"$KIND_IMAGE_ID_LABEL\"==${ids[$img]}" 2>/dev/null)" ]; then
      log "  $img: the node has it already"
    else
      stale+=("$img")
    fi
  done
  [ ${#stale[@]} -eq 0 ] && return 0
  mkdir -p "$(dirname "$archive")"
  engine_save "$archive" "${stale[@]}"
  kind_ load image-archive --name "$KIND_CLUSTER_NAME" "$archive"
  rm -f "$archive"
  for img in "${stale[@]}"; do
    case $img in
      localhost/*) ;;
      *) in_node ctr -n k8s.io images tag --force "localhost/$img" "$(image_ref "$img")" >/dev/null 2>&1 || true ;;
    esac
    in_node ctr -n k8s.io images label "$(image_ref "$img")" "$KIND_IMAGE_ID_LABEL=${ids[$img]}" >/dev/null
  done
  log "  loaded ${stale[*]} in $((SECONDS - t))s"
}
