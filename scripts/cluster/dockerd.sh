#!/usr/bin/env bash
# Makes a Docker daemon available for building images: uses the running one, else installs Debian's
# docker.io (if missing) and starts dockerd in the background. Docker here is only the image builder:
# a dockerd started by this script runs with --bridge=none --iptables=false (no docker0, no iptables
# rules; builds use --network=host), so it leaves nothing behind on the host's network.
#   scripts/cluster/dockerd.sh        # ensure running
#   scripts/cluster/dockerd.sh stop   # stop the dockerd this script started (if any)
source "$(dirname "$0")/../lib.sh"
run_dir="$CACHE_DIR/run"
pidfile="$run_dir/dockerd.pid"
mkdir -p "$run_dir" "$CACHE_DIR/logs"

if [ "${1:-}" = stop ]; then
  if [ -f "$pidfile" ] && alive "$(cat "$pidfile")"; then
    log "stopping dockerd (pid $(cat "$pidfile"))"
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 300); do alive "$(cat "$pidfile")" || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
  exit 0
fi

if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || apt_install docker.io
command -v docker >/dev/null || apt_install docker.io
log "starting dockerd in the background (log: $CACHE_DIR/logs/dockerd.log)"
# setsid: the daemon outlives this script and is not in its process group.
setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false \
  >"$CACHE_DIR/logs/dockerd.log" 2>&1 < /dev/null &
echo $! > "$pidfile"
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  alive "$(cat "$pidfile")" || { tail -20 "$CACHE_DIR/logs/dockerd.log" >&2; die "dockerd exited"; }
  sleep 1
done
die "dockerd did not answer within 60s (see $CACHE_DIR/logs/dockerd.log)"
