#!/usr/bin/env bash
# The browser checks of issue 20, in Debian's headless Chromium driven by Selenium:
#   1. the main example's report leads with the grouped chart of methods × groups (group
#      names, worst group marked) and exports it as SVG and print-resolution PNG;
#   2. `assay serve` over a store with three finished runs and a running one: lists, filters,
#      sorts, compares, shows progress advancing, no console errors, and refuses paths
#      outside the store.
# Usage: scripts/dashboard-check.sh ASSAY STORE REPORT.html OUTPUT_DIR
#   STORE must hold finished runs of experiments/colored-fmnist-dfr.yaml; this script adds
#   runs with seed=1 (finished) and seed=2 (kept running while the dashboard is checked).
set -euo pipefail
cd "$(dirname "$0")/.."
assay="$1" store="$2" report="$3" out="$4"
mkdir -p "$out"
small=(-p train-size=3000 -p val-size=1500 -p test-size=1000 -p epochs=2)

for p in chromium chromium-driver python3-selenium; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [[ -n ${missing:-} ]]; then
    sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q $missing >/dev/null
fi
export HOME="$(mktemp -d)"   # Chromium wants a writable home

/usr/bin/python3 scripts/browser_checks.py report "$(cd "$(dirname "$report")" && pwd)/$(basename "$report")" "$out"

"$assay" run experiments/colored-fmnist-dfr.yaml "${small[@]}" -p seed=1 --threads 2 --store "$store" >"$out/seed1-run.txt"
# The running run: larger, on one thread, so it is still going while the pages are checked.
"$assay" run experiments/colored-fmnist-dfr.yaml -p train-size=12000 -p val-size=1500 -p test-size=1000 -p epochs=4 -p seed=2 \
    --threads 1 --store "$store" >"$out/running-run.txt" 2>&1 &
running_pid=$!
"$assay" serve --store "$store" --port 0 >"$out/serve.txt" 2>&1 &
serve_pid=$!
# The check stops (SIGSTOP) the running run once it has seen its progress advance, so that it is
# still running, lock held, for the later pages however fast this machine is; CONT then TERM at exit.
trap 'kill -CONT $running_pid 2>/dev/null; kill $serve_pid $running_pid 2>/dev/null || true' EXIT
url=""
for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/serve.txt" || true)
    run=$(ls "$store/progress" 2>/dev/null | sed -n 's/\.json$//p' | head -1)
    [[ -n $url && -n $run ]] && break
    sleep 0.3
done
[[ -n $url && -n $run ]] || { echo "dashboard-check: the server or the running run did not start" >&2; cat "$out/serve.txt" >&2; exit 1; }
/usr/bin/python3 scripts/browser_checks.py dashboard "$url" "$out" "$run" "$running_pid"
