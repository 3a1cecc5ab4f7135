#!/usr/bin/env bash
# End-to-end test of `assay lsp` with Neovim's built-in LSP client (Debian's neovim, installed by
# scripts/setup.sh). Usage: scripts/lsp/neovim-e2e.sh [path/to/assay]  (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
assay="${1:-$(swift build -c release --show-bin-path)/assay}"
if ! command -v nvim >/dev/null; then
    echo "neovim-e2e: nvim is not installed (scripts/setup.sh installs it)" >&2
    exit 1
fi
[ -x "$assay" ] || { echo "neovim-e2e: no assay binary at $assay (build it first)" >&2; exit 1; }
# A copy of the example: the test edits the buffer and must not touch the repository's file.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp experiments/colored-fmnist-dfr.yaml "$work/"
ASSAY="$(cd "$(dirname "$assay")" && pwd)/$(basename "$assay")" EXPERIMENT="$work/colored-fmnist-dfr.yaml" \
    timeout 120 nvim --headless --clean -n -c "luafile scripts/lsp/neovim-e2e.lua" 2>&1
