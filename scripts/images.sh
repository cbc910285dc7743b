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
# An image whose inputs live outside the repository has a docker/<name>/context.sh: it stages them
# and prints the directory to build in instead (docker/consul: the project's Consul binary).
# Images are built with the project's engine (docker or podman, scripts/cluster/engine.sh), then
# loaded into the kind cluster (scripts/cluster/load-image.sh: cluster:up's, or the current kind-*
# context's), skipping those the node already has.
# BUILD_CA_FILE: a PEM file of CAs that `npm ci` in the build needs (a TLS-inspecting proxy); default
# the host's /usr/local/share/ca-certificates/*.crt. See docs/images.md.
source "$(dirname "$0")/cluster/common.sh"

load=1
names=()
for a in "$@"; do
  case $a in
    --no-load) load=0 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
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
# hello, world and nginx are built FROM the autopilot image: build it first.
ordered=()
for n in "${names[@]}"; do [ "$n" = autopilot ] && ordered=(autopilot); done
for n in "${names[@]}"; do [ "$n" = autopilot ] || ordered+=("$n"); done
names=("${ordered[@]}")

case ${IMAGES_BASE:-local} in
  local)
    bash "$REPO_ROOT/scripts/base-image.sh" base node
    base_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "NODE_IMAGE=$NODE_IMAGE") ;;
  official)
    base_args=(--build-arg "BASE_IMAGE=debian:bookworm-slim" --build-arg "NODE_IMAGE=node:${NODE_VERSION%%.*}-bookworm-slim") ;;
  *) die "IMAGES_BASE must be local or official" ;;
esac

# Build stages that fetch over TLS (npm ci) trust the public CAs; a network that inspects TLS needs
# its own CA too. BUILD_CA_FILE names a PEM file (default: the CAs added to this host in
# /usr/local/share/ca-certificates, Debian's place for them); passed as the build argument
# BUILD_CA_CERTS, which only the throwaway deps stages use. BUILD_CA_FILE=/dev/null passes none.
ca_pem=
if [ -n "${BUILD_CA_FILE:-}" ]; then
  ca_pem=$(cat "$BUILD_CA_FILE")
elif compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  ca_pem=$(cat /usr/local/share/ca-certificates/*.crt)
fi
[ -n "$ca_pem" ] && base_args+=(--build-arg "BUILD_CA_CERTS=$ca_pem")
base_args+=(--build-arg "AUTOPILOT_IMAGE=$IMAGE_PREFIX/autopilot:$IMAGE_TAG")

# The build context is the repository root; .dockerignore keeps .git, node_modules and .cache out.
built=()
for n in "${names[@]}"; do
  f="docker/$n/Dockerfile"
  [ -f "$REPO_ROOT/$f" ] || die "no $f"
  image="$IMAGE_PREFIX/$n:$IMAGE_TAG"
  own_context=
  if [ -f "$REPO_ROOT/docker/$n/context.sh" ]; then
    own_context=$(bash "$REPO_ROOT/docker/$n/context.sh") || die "docker/$n/context.sh failed"
  fi
  log "$(engine_name) build $image ($f)"
  t=$SECONDS
  # --network=host: builds reach the package registries the host reaches, without a bridge.
  build() {
    DOCKER_BUILDKIT=0 engine build --network=host "${base_args[@]}" -f "$REPO_ROOT/$f" -t "$image" "$@"
  }
  ok=1
  if [ -n "$own_context" ]; then
    build "$own_context" > "$CACHE_DIR/logs/image-$n.log" 2>&1 || ok=0
  else
    build "$REPO_ROOT" > "$CACHE_DIR/logs/image-$n.log" 2>&1 || ok=0
  fi
  if [ $ok = 0 ]; then
    tail -30 "$CACHE_DIR/logs/image-$n.log" >&2
    die "building $image failed (log: $CACHE_DIR/logs/image-$n.log)"
  fi
  log "  $image built in $((SECONDS - t))s ($(engine image inspect -f '{{.Size}}' "$image" | numfmt --to=si)B)"
  built+=("$image")
done
[ ${#built[@]} -eq 0 ] && { log "no images to build (no docker/<name>/Dockerfile besides base and pause)"; exit 0; }
[ "$load" = 1 ] || exit 0

bash "$REPO_ROOT/scripts/cluster/load-image.sh" "${built[@]}"
