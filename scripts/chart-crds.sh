#!/usr/bin/env bash
# The operator's chart ships the CRDs in its own crds/ directory (Helm installs them on a release's
# first install and never touches them again); they are copies of the repository's crds/*.yaml, which
# scripts/generate-crds.ts writes. Run this after generating:
#   scripts/chart-crds.sh           copies crds/*.yaml into charts/autopilot-operator/crds/ (and
#                                   removes copies whose source is gone)
#   scripts/chart-crds.sh --check   fails, listing the differences, unless the copies are current
source "$(dirname "$0")/lib.sh"
src="$REPO_ROOT/crds"
dst="$REPO_ROOT/charts/autopilot-operator/crds"

check=0
case ${1:-} in
  --check) check=1 ;;
  '') ;;
  -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
  *) die "unknown argument $1 (see --help)" ;;
esac

shopt -s nullglob
sources=("$src"/*.yaml)
copies=("$dst"/*.yaml)

if [ "$check" = 1 ]; then
  stale=()
  for f in "${sources[@]}"; do
    b=$(basename "$f")
    if [ ! -f "$dst/$b" ]; then stale+=("crds/$b has no copy in the chart")
    elif ! cmp -s "$f" "$dst/$b"; then stale+=("charts/autopilot-operator/crds/$b differs from crds/$b")
    fi
  done
  for f in "${copies[@]}"; do
    [ -f "$src/$(basename "$f")" ] || stale+=("charts/autopilot-operator/crds/$(basename "$f") has no source in crds/")
  done
  if [ ${#stale[@]} -gt 0 ]; then
    printf '  %s\n' "${stale[@]}" >&2
    die "the chart's CRDs are not those of crds/: run scripts/chart-crds.sh"
  fi
  log "the chart's CRDs match crds/ (${#sources[@]} file(s))"
  exit 0
fi

mkdir -p "$dst"
for f in "${copies[@]}"; do
  [ -f "$src/$(basename "$f")" ] || { rm "$f"; log "removed $(basename "$f") from the chart"; }
done
for f in "${sources[@]}"; do
  cmp -s "$f" "$dst/$(basename "$f")" || { cp "$f" "$dst/"; log "copied crds/$(basename "$f") into the chart"; }
done
