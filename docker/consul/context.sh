#!/usr/bin/env bash
# The build context of docker/consul/Dockerfile, for scripts/images.sh (which runs a
# docker/<name>/context.sh when there is one and builds in the directory it prints): the project's
# own Consul (scripts/build-consul.sh, cached in $CACHE_DIR/bin) lives outside the repository, so it
# is staged, stripped of its symbols and debug info (188 MB -> 134 MB), into $CACHE_DIR/images/consul-ctx.
source "$(dirname "$0")/../../scripts/lib.sh"
ctx="$CACHE_DIR/images/consul-ctx"
mkdir -p "$ctx"
src=$(bash "$REPO_ROOT/scripts/build-consul.sh")
# Restaged only when the build changed, so Docker's cache of the COPY layer holds.
if [ ! -f "$ctx/consul" ] || [ "$(cat "$ctx/consul.source" 2>/dev/null)" != "$(sha256sum < "$src")" ]; then
  log "staging $src (stripped) into $ctx"
  cp -L "$src" "$ctx/consul.tmp"
  command -v strip >/dev/null || apt_install binutils
  strip "$ctx/consul.tmp"
  mv "$ctx/consul.tmp" "$ctx/consul"
  sha256sum < "$src" > "$ctx/consul.source"
fi
echo "$ctx"
