#!/usr/bin/env bash
# Benchmarks: bench/run.sh [--postgres]. Installs wrk if missing; prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q wrk >/dev/null; }
make install >/dev/null
.venv/bin/python bench/load.py "$@"
