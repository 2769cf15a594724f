#!/usr/bin/env bash
# Configure and build into DIR (default build/) with extra cmake arguments.
#   scripts/build.sh [DIR] [-DCMAKE_...=...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
