#!/usr/bin/env bash
# Mobile checks: install (npm ci when node_modules is missing or package-lock.json changed),
# generate GraphQL types from ../schema.graphql, check formatting (Prettier), lint (ESLint),
# type-check, run the jest suite.
# With --e2e also build the web app and run the browser tests against the real server.
set -euo pipefail
cd "$(dirname "$0")/../mobile"

stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "mobile: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

echo "mobile: codegen"
npm run --silent codegen >/dev/null
echo "mobile: prettier --check"
npm run --silent format:check
echo "mobile: eslint"
npm run --silent lint
echo "mobile: tsc --noEmit"
npx tsc --noEmit
echo "mobile: jest"
CI=1 npx jest --ci

if [[ ${1:-} == "--e2e" ]]; then
  echo "mobile: web build + browser e2e"
  npm run --silent build:web >/dev/null
  npm run --silent e2e
fi
