#!/usr/bin/env bash
# `npm test`: sets up what is missing, checks types, lint and formatting, then runs every test
# project (unit, integration, e2e) and ends with the line `N passed, N failed` from vitest's JSON
# reporter. TEST_PROJECTS="unit integration" runs a subset.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh

projects=(${TEST_PROJECTS:-unit integration e2e})
results="$REPO_ROOT/.cache/test-results"
mkdir -p "$results"
rm -f "$results"/*.json
status=0
log "typecheck and lint"
node_modules/.bin/tsc -p tsconfig.json || { log "typecheck failed"; status=1; }
node_modules/.bin/eslint . || { log "lint failed"; status=1; }
node_modules/.bin/prettier --check . >/dev/null || { log "formatting differs: npm run format"; status=1; }
for project in "${projects[@]}"; do
  log "vitest --project $project"
  node_modules/.bin/vitest run --project "$project" --reporter=default --reporter=json \
    --outputFile.json="$results/$project.json" --passWithNoTests || status=1
done
node_modules/.bin/node scripts/test-summary.ts "$results"/*.json
exit $status
