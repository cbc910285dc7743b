#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine; idempotent and cached, so it is
# cheap to run again. Node 24 comes from the npm registry (the `node` package in devDependencies),
# so npm scripts run on 24 whatever node the machine has.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "node $(node_modules/.bin/node --version) (project-pinned)"

# Real components for integration tests: nginx (demo router) and Chromium (browser tests).
command -v go >/dev/null || die "the Go toolchain (>= 1.25) is needed to build Consul and Kubernetes from their modules"
# openssl: certificates for envtest (scripts/cluster/pki.sh).
apt_install nginx-light chromium ca-certificates openssl wrk
CONSUL_BIN="$(bash scripts/build-consul.sh)"
log "consul: $("$CONSUL_BIN" version | head -1)"
# Helm: the operator's chart (charts/) and its tests; linked into $CACHE_DIR/tools/bin.
HELM_BIN="$(bash scripts/cluster/build-tools.sh helm)"
log "helm: $("$HELM_BIN" version --short)"
# The container engine (docker, or podman configured for this host) that builds the images and runs
# kind's nodes: scripts/cluster/engine.sh installs and checks it, and names what is missing.
# Only the e2e tests need it: where none can run here, the reason is printed and setup goes on.
if engine_env=$(bash scripts/cluster/engine.sh); then
  log "container engine: $(sed -n 's/^ENGINE=//p' <<<"$engine_env")"
else
  log "no container engine can run kind's nodes here (the line above says why): e2e tests will fail"
fi
