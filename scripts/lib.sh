# Shared helpers for the project's shell scripts. Source it; do not run it.
# Everything expensive (Go builds, downloads) lands in CACHE_DIR, outside the work tree, so fresh
# clones on the same machine reuse it.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${AUTOPILOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/autopilot-k8s}"
BIN_DIR="$CACHE_DIR/bin"
mkdir -p "$BIN_DIR"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs apt-get install only for packages that are missing; apt-get update at most once per run.
APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A process that exists and is not a zombie.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

# ---- The container engine -----------------------------------------------------------------------
# One engine builds the project's images and is kind's provider: docker where a Docker daemon answers
# and can run a privileged container (what kind's nodes are), else podman (daemonless, Debian's).
# AUTOPILOT_ENGINE=docker|podman forces one. scripts/cluster/engine.sh installs and configures it;
# every script then calls `engine ...` (or the two helpers below) instead of naming docker or podman.
ENGINE_ENV="$CACHE_DIR/engine.env"
engine_name() {
  if [ -n "${AUTOPILOT_ENGINE:-}" ]; then echo "$AUTOPILOT_ENGINE"; return; fi
  if [ -f "$ENGINE_ENV" ]; then sed -n 's/^ENGINE=//p' "$ENGINE_ENV"; return; fi
  bash "$REPO_ROOT/scripts/cluster/engine.sh" >/dev/null && sed -n 's/^ENGINE=//p' "$ENGINE_ENV"
}
engine() {
  [ -n "${ENGINE:-}" ] || ENGINE=$(engine_name)
  "$ENGINE" "$@"
}

# A build with the project's engine (BuildKit is not used with docker: it would need images of its
# own); the build's output goes to a log, shown when it fails.   engine_build BUILD-ARGS...
engine_build() {
  local logf="$CACHE_DIR/logs/image-build-$$.log"
  mkdir -p "$CACHE_DIR/logs"
  if ! DOCKER_BUILDKIT=0 engine build "$@" > "$logf" 2>&1; then
    grep -v -e DEPRECATED -e 'BuildKit is currently' -e 'environment-variable' "$logf" | tail -30 >&2
    die "$(engine_name) build $* failed"
  fi
  rm -f "$logf"
}

# Saves images into one docker-archive, which containerd (`ctr images import`, `kind load
# image-archive`) reads; podman writes several images into one archive only when asked (-m).
#   engine_save ARCHIVE IMAGE...
engine_save() {
  local archive=$1 args=(); shift
  [ "$(engine_name)" = podman ] && args=(-m --format docker-archive)
  local out
  out=$(engine save "${args[@]}" -o "$archive" "$@" 2>&1) || { echo "$out" | tail -20 >&2; die "saving $* failed"; }
}
