#!/usr/bin/env bash
# The test suite. Numerical tests need optimised code, so the suite runs in
# release with testability on (keeps @testable imports working).
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift test -c release -Xswiftc -enable-testing "$@"
