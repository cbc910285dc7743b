#!/usr/bin/env bash
# Chooses, installs and configures the container engine (scripts/lib.sh explains the choice) and
# records it in $CACHE_DIR/engine.env. Idempotent; a second run only checks.
#   scripts/cluster/engine.sh     # prints ENGINE=docker|podman (and, for podman, kind's provider)
# Fails with one line naming the reason when no engine here can run a privileged container, which is
# what a kind node is (and what building the node image needs).
source "$(dirname "$0")/../lib.sh"

# A privileged container from an empty image gets as far as exec'ing a missing file when everything
# before it (capabilities, rlimits, cgroups) worked: that exec error is the "yes".
PROBE_IMAGE=localhost/autopilot-k8s/empty:probe
privileged_error() { # privileged_error ENGINE -> prints the failure, empty when privileged works
  local e=$1 out
  if ! "$e" image inspect "$PROBE_IMAGE" >/dev/null 2>&1; then
    tar -cf - --files-from /dev/null | "$e" import - "$PROBE_IMAGE" >/dev/null 2>&1 || { echo "cannot import an image"; return; }
  fi
  out=$(timeout 60 "$e" run --rm --privileged --network=none --entrypoint /probe "$PROBE_IMAGE" 2>&1 || true)
  grep -qiE 'no such file|not found' <<<"$out" && return 0
  # The cause as the runtime words it when it is one we know, else its last line.
  local known
  known=$(grep -oiE '(unable to apply caps|error setting rlimit|cgroups in hybrid mode|operation not permitted|permission denied)[^:"]*' <<<"$out" | head -1)
  echo "${known:-$(tail -1 <<<"${out:-no output}")}"
}

# podman on this kind of host: runc (crun refuses hybrid cgroup v1/v2 hosts) and rlimits within the
# hard limits (without CAP_SYS_RESOURCE a container cannot raise them; podman's defaults do). Written
# as a drop-in, so the machine's own containers.conf stays as it is, and only where the host needs it.
PODMAN_DROPIN=/etc/containers/containers.conf.d/50-autopilot-k8s.conf
configure_podman() {
  local lines=() hn hu
  if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
    apt_install runc
    lines+=("[engine]" 'runtime = "runc"')
  fi
  hn=$(ulimit -Hn); hu=$(ulimit -Hu)
  if [ "$hn" != unlimited ] && [ "$hn" -lt 1048576 ]; then
    [ "$hu" = unlimited ] && hu=1048576
    # conmon, which starts the container, runs with at most 32768 processes (podman lowers its own limit).
    [ "$hu" -gt 32768 ] && hu=32768
    lines+=("[containers]" "default_ulimits = [\"nofile=$hn:$hn\", \"nproc=$hu:$hu\"]")
  fi
  if [ ${#lines[@]} -eq 0 ]; then rm -f "$PODMAN_DROPIN"; return; fi
  local want
  want=$(printf '# Written by autopilot-k8s scripts/cluster/engine.sh: what this host needs for kind nodes.\n'; printf '%s\n' "${lines[@]}")
  if [ "$(cat "$PODMAN_DROPIN" 2>/dev/null)" != "$want" ]; then
    mkdir -p "$(dirname "$PODMAN_DROPIN")"
    echo "$want" > "$PODMAN_DROPIN"
    log "podman configured for this host: $PODMAN_DROPIN"
  fi
}

choose() {
  case ${AUTOPILOT_ENGINE:-} in
    docker | podman) echo "$AUTOPILOT_ENGINE"; return ;;
    "") ;;
    *) die "AUTOPILOT_ENGINE must be docker or podman" ;;
  esac
  if command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1 && [ -z "$(privileged_error docker)" ]; then
    echo docker
  else
    echo podman
  fi
}

engine=$(choose)
command -v "$engine" >/dev/null || [ "$engine" = podman ] || die "AUTOPILOT_ENGINE=$engine, but $engine is not installed"
if [ "$engine" = docker ] && ! timeout 10 docker info >/dev/null 2>&1; then
  die "AUTOPILOT_ENGINE=docker, but no Docker daemon answers (docker info)"
fi
if [ "$engine" = podman ]; then
  command -v podman >/dev/null || apt_install podman
  configure_podman
fi
# kind mounts the host's /lib/modules into its nodes; a kernel without loadable modules has none.
[ -d /lib/modules ] || mkdir -p /lib/modules
err=$(privileged_error "$engine")
[ -z "$err" ] || die "$engine cannot run a privileged container here (kind's nodes are privileged): $err"
{
  echo "ENGINE=$engine"
  [ "$engine" = podman ] && echo "KIND_EXPERIMENTAL_PROVIDER=podman"
} > "$ENGINE_ENV.tmp"
mv "$ENGINE_ENV.tmp" "$ENGINE_ENV"
cat "$ENGINE_ENV"
