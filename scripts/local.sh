#!/usr/bin/env bash
# `npm run local [up|scale ...|status]`: the demo without Kubernetes (scripts/local/cli.ts).
# Bringing it up installs what is missing first, so this works on a fresh clone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-up}" in
  scale | status) ;;
  *) bash "$root/scripts/setup.sh" ;;
esac
exec "$root/node_modules/.bin/node" "$root/scripts/local/cli.ts" "$@"
