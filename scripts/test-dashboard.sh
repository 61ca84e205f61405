#!/usr/bin/env bash
# The owner's console's checks: install (npm ci when package-lock.json changed), Prettier, ESLint,
# tsc and the component tests (Vitest), on types generated from ../schema.graphql. With --e2e also
# build the console and the annotator app's web export (dashboard/scripts/build.sh: only what is
# stale) and run the browser tests against the real server, which serves both.
set -euo pipefail
cd "$(dirname "$0")/../dashboard"

bash scripts/build.sh --console-deps
echo "dashboard: codegen"
npm run --silent codegen >/dev/null
echo "dashboard: prettier --check"
npx prettier --check . >/dev/null
echo "dashboard: eslint"
npm run --silent lint
echo "dashboard: tsc --noEmit"
npx tsc --noEmit
echo "dashboard: vitest"
npx vitest run --reporter=dot

if [[ ${1:-} == "--e2e" ]]; then
  echo "dashboard: build + browser e2e"
  bash scripts/build.sh
  npm run --silent e2e
fi
