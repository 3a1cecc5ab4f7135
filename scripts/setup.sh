#!/usr/bin/env bash
# Installs the Debian packages Assay needs, skipping those already present.
set -euo pipefail
packages=(libopenblas-dev libopenblas-pthread-dev libdnnl-dev libyaml-dev dataset-fashion-mnist
          libpng-dev libjpeg-dev zlib1g-dev libssl-dev libsqlite3-dev
          libcurl4-openssl-dev  # the remote cache's HTTP client (its header; it brings libcurl4, opened at run time)
          nginx   # nginx: the remote-cache tests run a WebDAV cache server on 127.0.0.1
          neovim  # neovim: the end-to-end test of `assay lsp` (scripts/lsp/neovim-e2e.sh)
          chromium chromium-driver python3-selenium)  # the report and `assay serve` checked in a browser (scripts/dashboard-check.sh)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
