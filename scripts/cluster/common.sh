# shellcheck shell=bash
# Shared settings and helpers of scripts/cluster/*.sh. Source it; do not run it.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$REPO_ROOT/scripts/cluster/versions.sh"

# ---- Layout -------------------------------------------------------------------------------------
# Cached across clusters (keyed by version): $CACHE_DIR/k8s/<ver>/bin, $CACHE_DIR/tools/..., images
# (in the container engine's store, and their build contexts in $CACHE_DIR/images).
K8S_BIN="$CACHE_DIR/k8s/$K8S_VERSION/bin"
TOOLS_BIN="$CACHE_DIR/tools/bin"
# The kubeconfig every other script and test uses, whatever the backend (kind, existing).
KUBECONFIG_OUT="$CACHE_DIR/kubeconfig"
# Which backend is up: CLUSTER_BACKEND=kind|existing, written by up.sh.
CLUSTER_ENV="$CACHE_DIR/cluster.env"

# The name containerd gives an image reference: a name without a registry host gets Docker's
# default one (a name, not a place anything is pulled from).
image_ref() { case $1 in *.*/* | localhost/*) echo "$1" ;; */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac; }

# Progress: numbered steps with the elapsed time of the previous one.
STEP_N=0
STEP_T0=$SECONDS
STEP_TOTAL=${STEP_TOTAL:-0}
step() {
  STEP_N=$((STEP_N + 1))
  printf '\033[1m[%s/%s]\033[0m %s \033[2m(+%ss)\033[0m\n' "$STEP_N" "$STEP_TOTAL" "$*" "$((SECONDS - STEP_T0))" >&2
}

# Waits until a command succeeds: wait_for SECONDS DESCRIPTION cmd...
wait_for() {
  local timeout=$1 what=$2; shift 2
  local t0=$SECONDS next=$((SECONDS + 15))
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - t0)) -ge "$timeout" ] && return 1
    if [ $SECONDS -ge $next ]; then log "  still waiting for $what ($((SECONDS - t0))s)"; next=$((SECONDS + 15)); fi
    sleep 1
  done
}

# Runs a go build/install command with -v into a log and prints a heartbeat every 30 s (packages
# compiled so far), so long builds show progress.   go_with_progress LABEL LOG go build ...
go_with_progress() {
  local label=$1 logf=$2; shift 2
  local t0=$SECONDS next=$((SECONDS + 30)) pid
  "$@" > "$logf" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if [ $SECONDS -ge $next ]; then
      log "    ... $label: $(grep -vc -e '^go: ' "$logf" || true) packages compiled, $((SECONDS - t0))s"
      next=$((SECONDS + 30))
    fi
  done
  if ! wait "$pid"; then
    grep -v -e '^go: downloading' "$logf" | tail -30 >&2
    die "$label failed (log: $logf)"
  fi
}
