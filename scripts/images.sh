#!/usr/bin/env bash
# npm run images — builds the project's images from docker/<name>/Dockerfile and loads them into the
# cluster that cluster:up brought up (if any).
#   scripts/images.sh [--no-load] [NAME...]     (default: every docker/<name>/Dockerfile)
# Each Dockerfile is built with the repository root as context, tagged autopilot-k8s/<name>:$IMAGE_TAG
# (default "dev": not "latest", so imagePullPolicy IfNotPresent never tries a registry), and gets two
# build arguments choosing its base:
#   IMAGES_BASE=local (default)  BASE_IMAGE=autopilot-k8s/base:bookworm  NODE_IMAGE=autopilot-k8s/node:24.x
#                                (built here by scripts/base-image.sh: debootstrap + the npm registry's Node)
#   IMAGES_BASE=official         BASE_IMAGE=debian:bookworm-slim          NODE_IMAGE=node:24-bookworm-slim
# docker/base and docker/pause hold the recipes of those foundation images and are not built here.
# Loading: local cluster -> `docker save | ctr -n k8s.io images import` into the node's containerd;
# kind -> `kind load docker-image`.
source "$(dirname "$0")/cluster/common.sh"

load=1
names=()
for a in "$@"; do
  case $a in
    --no-load) load=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) names+=("$a") ;;
  esac
done
IMAGE_TAG=${IMAGE_TAG:-dev}
IMAGE_PREFIX=${IMAGE_PREFIX:-autopilot-k8s}

if [ ${#names[@]} -eq 0 ]; then
  for f in "$REPO_ROOT"/docker/*/Dockerfile; do
    [ -f "$f" ] || continue
    n=$(basename "$(dirname "$f")")
    case $n in base|pause) continue ;; esac
    names+=("$n")
  done
fi

bash "$REPO_ROOT/scripts/cluster/dockerd.sh"
case ${IMAGES_BASE:-local} in
  local)
    bash "$REPO_ROOT/scripts/base-image.sh" base node
    base_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "NODE_IMAGE=$NODE_IMAGE") ;;
  official)
    base_args=(--build-arg "BASE_IMAGE=debian:bookworm-slim" --build-arg "NODE_IMAGE=node:${NODE_VERSION%%.*}-bookworm-slim") ;;
  *) die "IMAGES_BASE must be local or official" ;;
esac

# The build context is the repository root. Without a .dockerignore there, send it without the
# bulky or private parts (the Docker daemon would otherwise receive node_modules and .git each time).
context_args=("$REPO_ROOT")
if [ ! -f "$REPO_ROOT/.dockerignore" ]; then context_args=(-); fi
send_context() {
  if [ "${context_args[0]}" = - ]; then
    tar -C "$REPO_ROOT" --exclude=./.git --exclude=./node_modules --exclude=./coverage --exclude=./.cache \
      --exclude='*.log' -c .
  else
    cat /dev/null
  fi
}

built=()
for n in "${names[@]}"; do
  f="docker/$n/Dockerfile"
  [ -f "$REPO_ROOT/$f" ] || die "no $f"
  image="$IMAGE_PREFIX/$n:$IMAGE_TAG"
  log "docker build $image ($f)"
  t=$SECONDS
  # --network=host: a dockerd started by scripts/cluster/dockerd.sh has no bridge network.
  if ! send_context | DOCKER_BUILDKIT=0 docker build --network=host "${base_args[@]}" -f "$f" -t "$image" \
      "${context_args[@]}" > "$CACHE_DIR/logs/image-$n.log" 2>&1; then
    tail -30 "$CACHE_DIR/logs/image-$n.log" >&2
    die "building $image failed (log: $CACHE_DIR/logs/image-$n.log)"
  fi
  log "  $image built in $((SECONDS - t))s"
  built+=("$image")
done
[ ${#built[@]} -eq 0 ] && { log "no images to build (no docker/<name>/Dockerfile besides base and pause)"; exit 0; }
[ "$load" = 1 ] || exit 0

if [ ! -f "$CLUSTER_ENV" ]; then log "no cluster is up (npm run cluster:up); images built only"; exit 0; fi
bash "$REPO_ROOT/scripts/cluster/load-image.sh" "${built[@]}"
