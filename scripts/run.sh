#!/usr/bin/env bash
# The main job on the embedded default: the whole system in one process (API server, training
# rounds, live events) with a demo task on the reference dataset. Prints the URL, the admin token
# and how to connect an annotator. Extra arguments go to `activecrowds serve` (e.g. --port 9000).
# First it builds the web clients the server serves at / and /app/, where missing or stale.
# The paper's offline experiment has its own command: scripts/simulate.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash dashboard/scripts/build.sh ||
  echo "warning: the web clients were not built; / and /app/ say how to build them" >&2
exec .venv/bin/activecrowds serve --demo "$@"
