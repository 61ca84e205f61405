#!/usr/bin/env bash
# The paper's experiment on the reference task, offline (simulated crowd): tables and plots in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${ACTIVECROWDS_OUT:-out/simulation}"
data="${ACTIVECROWDS_DATA_DIR:-data}/datasets/fashion-collapse"
[ -f "$data/dataset.json" ] || .venv/bin/activecrowds dataset demo "$data"
exec .venv/bin/activecrowds simulate --dataset "$data" --out "$out" "$@"
