#!/usr/bin/env bash
# Assay against PyTorch on the built-in networks, alternated A B A B in one window.
#
#   scripts/bench-compare.sh [--rounds N] [--steps N] [--batch N] [--threads N]
#                            [--networks small-cnn,squeeze-segnet,segnet,resnet50,alexnet]
#
# Each round runs, per network, `assay-bench tensor` (A) then `scripts/bench_torch.py
# --networks` (B), each in its own process (so each peak RSS is that network's). It
# prints, per network and phase (train, inference): images/s of each side (median over
# rounds, min–max), the ratio Assay / PyTorch (median of the per-round ratios, min–max),
# GEMM GFLOP/s of each side as a fraction of the FMA peak (the best single-core sgemm
# GFLOP/s over sizes 256–2048 times the thread count), and peak RSS. `uptime` is printed
# at the start and the end: figures taken at load > 1 are not speed results.
# Without PyTorch it times Assay alone and says so. `--batch 4 --steps 1 --networks
# small-cnn` is a smoke run for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=2 steps=5 batch=0 threads=2
networks=small-cnn,squeeze-segnet,segnet,resnet50,alexnet
bench=${ASSAY_BENCH_BIN:-.build/release/assay-bench}
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --networks) networks=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "bench-compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ ! -x "$bench" ]; then
    echo "bench-compare.sh: $bench not found; build it with: swift build -c release --product assay-bench" >&2
    exit 2
fi
torch=yes
if ! python3 -c 'import torch' 2>/dev/null; then
    torch=no
    echo "bench-compare.sh: PyTorch is not installed (python3 -c 'import torch' fails): timing Assay only, no ratios"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "load at start: $(uptime)"
for round in $(seq 1 "$rounds"); do
    for net in ${networks//,/ }; do
        ASSAY_BENCH_NETWORKS=$net ASSAY_BENCH_STEPS=$steps ASSAY_BENCH_THREADS=$threads ASSAY_BENCH_KERNELS=0 \
            ASSAY_BENCH_BATCH=$([ "$batch" -gt 0 ] && echo "$batch" || echo "") \
            "$bench" tensor > "$out/assay-$net-$round.jsonl"
        if [ $torch = yes ]; then
            python3 scripts/bench_torch.py --networks "$net" --steps "$steps" --batch "$batch" --threads "$threads" \
                > "$out/torch-$net-$round.jsonl"
        fi
    done
done
echo "load at end:   $(uptime)"

python3 - "$out" "$networks" "$rounds" "$threads" <<'PY'
import json, statistics, sys
out, networks, rounds, threads = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), int(sys.argv[4])

def load(path):
    try:
        with open(path) as handle:
            return {row["name"]: row["value"] for row in map(json.loads, filter(str.strip, handle))}
    except FileNotFoundError:
        return {}

def spread(values):
    return f"{statistics.median(values):9.2f} ({min(values):.2f}–{max(values):.2f})" if values else "        -"

print(f"\n{threads} threads, {rounds} round(s); FMA peak = best 1-core sgemm × {threads}")
print(f"{'network':<26}{'Assay img/s':>24}{'PyTorch img/s':>24}{'ratio A/P':>24}{'A %peak':>9}{'P %peak':>9}{'A RSS MiB':>11}{'P RSS MiB':>11}")
for net in networks:
    runs_a = [load(f"{out}/assay-{net}-{r}.jsonl") for r in range(1, rounds + 1)]
    runs_b = [load(f"{out}/torch-{net}-{r}.jsonl") for r in range(1, rounds + 1)]
    for phase in ("train", "inference"):
        key = f"{net}_{phase}"
        a = [run[key] for run in runs_a if key in run]
        b = [run[key] for run in runs_b if key in run]
        ratios = [run_a[key] / run_b[key] for run_a, run_b in zip(runs_a, runs_b) if key in run_a and run_b.get(key)]
        peaks = [run["fma_peak_1core"] * threads for run in runs_a if "fma_peak_1core" in run]
        flops = [run[key + "_gflop_per_image"] for run in runs_a if key + "_gflop_per_image" in run]
        def fraction(values):
            if not (values and peaks and flops):
                return "        -"
            return f"{100 * statistics.median(values) * flops[0] / statistics.median(peaks):8.1f}%"
        rss_a = max((run.get("peak_rss", 0) for run in runs_a), default=0)
        rss_b = max((run.get("peak_rss", 0) for run in runs_b), default=0)
        print(f"{key:<26}{spread(a):>24}{spread(b):>24}{spread(ratios):>24}{fraction(a):>9}{fraction(b):>9}"
              f"{rss_a:>11.0f}{(f'{rss_b:.0f}' if rss_b else '-'):>11}")
PY
