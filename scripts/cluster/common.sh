# shellcheck shell=bash
# Shared settings and helpers of scripts/cluster/*.sh. Source it; do not run it.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$REPO_ROOT/scripts/cluster/versions.sh"

# ---- Layout -------------------------------------------------------------------------------------
# Cached across clusters (keyed by version):  $CACHE_DIR/k8s/<ver>/bin, $CACHE_DIR/tools/..., images,
#                                              $CACHE_DIR/containerd (the node's image store)
# One cluster's state (wiped by cluster:down): $CLUSTER_DIR/{etcd,kubelet,cni,logs,run}
# Kept across clusters:                        $CLUSTER_DIR/pki (CA and certificates)
K8S_BIN="$CACHE_DIR/k8s/$K8S_VERSION/bin"
TOOLS_BIN="$CACHE_DIR/tools/bin"
CLUSTER_DIR="$CACHE_DIR/cluster"
PKI="$CLUSTER_DIR/pki"
CLUSTER_LOGS="$CLUSTER_DIR/logs"
CLUSTER_RUN="$CLUSTER_DIR/run"
# The kubeconfig every other script and test uses, whatever the backend (local, kind, existing).
KUBECONFIG_OUT="$CACHE_DIR/kubeconfig"
# Which backend is up: CLUSTER_BACKEND=local|kind|existing, written by up.sh.
CLUSTER_ENV="$CACHE_DIR/cluster.env"

# ---- The local cluster's network: everything lives in one network namespace -----------------------
NETNS=autopilot-k8s
NETNS_PATH=/run/netns/$NETNS
NODE_NAME=autopilot-node
NODE_IF=node0                 # a veth pair whose both ends stay inside the namespace (no dummy module)
NODE_IP=10.250.0.10
NODE_PREFIX=24
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
# The API server listens on :6443 inside the namespace; a forward makes it reachable from the host on
# 127.0.0.1:$API_PORT only (never on a non-loopback address).
API_PORT="${AUTOPILOT_API_PORT:-6443}"
# Runtime (tmpfs) state of the node's own containerd, kept apart from dockerd's containerd.
NODE_RUN=/run/autopilot-k8s
CONTAINERD_SOCK=$NODE_RUN/containerd/containerd.sock
CONTAINERD_ROOT="$CACHE_DIR/containerd/root"
CNI_BIN_DIR=/usr/lib/cni
CNI_NET_NAME=autopilot-k8s

in_netns() { nsenter --net="$NETNS_PATH" -- "$@"; }
# The name containerd gives an image reference: a name without a registry host gets Docker's
# default one, as `docker save | ctr import` records it (a name, not a place anything is pulled from).
image_ref() { case $1 in *.*/* | localhost/*) echo "$1" ;; */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac; }
crictl_() { "$TOOLS_BIN/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --image-endpoint "unix://$CONTAINERD_SOCK" --timeout 30s "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

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

# Background processes: started with setsid (own session), pid in $CLUSTER_RUN/NAME.pid, log in
# $CLUSTER_LOGS/NAME.log.   start_bg NAME [--netns] cmd...
pid_of() { [ -f "$CLUSTER_RUN/$1.pid" ] && cat "$CLUSTER_RUN/$1.pid"; }
# A zombie (exited, its parent has not reaped it yet) is not running (alive(), scripts/lib.sh).
running() { local p; p=$(pid_of "$1") && [ -n "$p" ] && alive "$p"; }
start_bg() {
  local name=$1; shift
  local ns=()
  if [ "${1:-}" = --netns ]; then ns=(nsenter --net="$NETNS_PATH" --); shift; fi
  if running "$name"; then return 0; fi
  mkdir -p "$CLUSTER_RUN" "$CLUSTER_LOGS"
  setsid "${ns[@]}" "$@" >>"$CLUSTER_LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$CLUSTER_RUN/$name.pid"
}
stop_bg() {
  local name=$1 p
  p=$(pid_of "$name") || return 0
  if [ -n "$p" ] && alive "$p"; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$p" || break; sleep 0.1; done
    alive "$p" && { log "  $name did not stop on SIGTERM within 10s; SIGKILL"; kill -KILL "$p" 2>/dev/null || true; }
  fi
  rm -f "$CLUSTER_RUN/$name.pid"
}
# Fails (and shows the log) when a component died.
check_alive() {
  running "$1" && return 0
  tail -n 30 "$CLUSTER_LOGS/$1.log" >&2 2>/dev/null || true
  die "$1 exited; its log: $CLUSTER_LOGS/$1.log"
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
