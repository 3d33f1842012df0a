#!/usr/bin/env bash
# The test command: every unit, integration and CLI test, then the doctests (nextest does not run
# doctests). Contract tests that need the Prism mock server start it themselves through
# scripts/with-prism.sh when it is present.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo nextest run --workspace --no-fail-fast
cargo test --workspace --doc
