#!/usr/bin/env bash
# Builds the web clients `activecrowds serve` serves, each only when it is missing or stale:
#   dashboard/dist/      the owner's console (Vite), served at /
#   dashboard/dist-app/  the annotator app's web export (mobile/, Expo), served at /app/
# Installs first where package-lock.json changed since the last install (npm ci).
# Usage: build.sh [--console] [--app]   (neither: both); --console-deps: only install the console's
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

# npm ci in $1 unless node_modules was installed from this very package-lock.json (the stamp is
# the one scripts/test-mobile.sh keeps, so the two scripts agree about mobile/).
npm_ci_if_changed() {
  local dir=$1 stamp="$1/node_modules/.package-lock.sha256" want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    echo "$(basename "$dir"): npm ci"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
}

# True when $1 is missing or any of the other paths holds a file newer than it.
stale() {
  local built=$1
  shift
  [[ ! -f $built ]] || [[ -n $(find "$@" -newer "$built" -type f -print -quit 2>/dev/null) ]]
}

build_console() {
  local d="$root/dashboard"
  npm_ci_if_changed "$d"
  if stale "$d/dist/index.html" "$d/src" "$d/public" "$d/index.html" "$d/package-lock.json" \
    "$d/vite.config.ts" "$d/codegen.ts" "$d/scripts/schema-facts.mjs" "$root/schema.graphql"; then
    echo "dashboard: vite build"
    (cd "$d" && npm run --silent build >/dev/null)
  fi
}

build_app() {
  local m="$root/mobile" out="$root/dashboard/dist-app"
  npm_ci_if_changed "$m"
  if stale "$out/index.html" "$m/app" "$m/assets" "$m/App.tsx" "$m/index.ts" "$m/app.json" \
    "$m/package-lock.json" "$root/schema.graphql"; then
    echo "annotator app: expo export --platform web"
    (cd "$m" && npm run --silent codegen >/dev/null &&
      CI=1 npx expo export --platform web --output-dir "$out" >/dev/null)
    touch "$out/index.html" # its mtime is the build's, for the next staleness check
  fi
}

want_console=0 want_app=0
for arg in "$@"; do
  case $arg in
    --console) want_console=1 ;;
    --app) want_app=1 ;;
    --console-deps) npm_ci_if_changed "$root/dashboard" && exit 0 ;;
    *) echo "usage: $0 [--console] [--app] | --console-deps" >&2 && exit 2 ;;
  esac
done
if ((want_console + want_app == 0)); then want_console=1 want_app=1; fi
((want_console)) && build_console
((want_app)) && build_app
exit 0
