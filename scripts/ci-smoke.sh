#!/usr/bin/env bash
# End to end through the CLI, the way a user runs it: a CI-sized run of the main
# example, a warm rerun that must execute nothing, its HTML report, and that report
# opened in headless Chromium (screenshots kept in $ASSAY_CI_ARTIFACTS).
set -euo pipefail
cd "$(dirname "$0")/.."
artifacts="${ASSAY_CI_ARTIFACTS:-/tmp/assay-ci-artifacts}"
store="$(mktemp -d)/store"
mkdir -p "$artifacts"

swift build -c release --product assay >/dev/null
assay=.build/release/assay
small=(-p train-size=3000 -p val-size=1500 -p test-size=1000 -p epochs=2)

echo "ci-smoke: cold run"
"$assay" run experiments/colored-fmnist-dfr.yaml "${small[@]}" --threads 2 --store "$store" --results "$artifacts/results" | tee "$artifacts/cold-run.txt"

echo "ci-smoke: warm rerun (must execute nothing)"
"$assay" run experiments/colored-fmnist-dfr.yaml "${small[@]}" --threads 2 --store "$store" --results "$artifacts/results" | tee "$artifacts/warm-run.txt"
grep -q " 0 executed" "$artifacts/warm-run.txt" || { echo "ci-smoke: the warm rerun executed stages" >&2; exit 1; }

"$assay" explain experiments/colored-fmnist-dfr.yaml dfr "${small[@]}" -p epochs=3 --store "$store" | tee "$artifacts/explain.txt"

echo "ci-smoke: the trained model exported as a torchvision-named state dict"
"$assay" export-model experiments/colored-fmnist-dfr.yaml erm "${small[@]}" --store "$store" -o "$artifacts/erm.safetensors"
test -s "$artifacts/erm.safetensors" || { echo "ci-smoke: export-model wrote nothing" >&2; exit 1; }
"$assay" log --store "$store"

echo "ci-smoke: the other examples, CI-sized: attacks and segmentation"
"$assay" run experiments/fv-attacks.yaml -p train-size=6000 -p test-size=2000 -p epochs=1 -p attack-steps=40 -p pulse-steps=40 \
    --store "$store-examples" --results "$artifacts/fv-attacks" | tee "$artifacts/fv-attacks.txt"
test -s "$artifacts/fv-attacks/before/natural.png" || { echo "ci-smoke: no natural FV picture" >&2; exit 1; }
"$assay" run experiments/segmentation.yaml -p train-scenes=200 -p test-scenes=100 -p epochs=2 \
    --store "$store-examples" --results "$artifacts/segmentation" | tee "$artifacts/segmentation.txt"
test -s "$artifacts/segmentation/eval-squeeze/overlays.png" || { echo "ci-smoke: no segmentation overlay" >&2; exit 1; }
echo "ci-smoke: every other example in experiments/, CI-sized"
bash scripts/ci-examples.sh "$assay" "$artifacts"
"$assay" report last --store "$store" --output "$artifacts/report.html"
bash scripts/report-browser-check.sh "$artifacts/report.html" "$artifacts/browser-check"
echo "ci-smoke: Selenium: the report leads with the grouped chart; assay serve with three finished runs and a running one"
# A copy: the check adds runs, and the Slurm comparison below needs this store's objects as they are.
cp -a "$store" "$store-dashboard"
bash scripts/dashboard-check.sh "$assay" "$store-dashboard" "$artifacts/report.html" "$artifacts/browser"
if command -v sbatch >/dev/null 2>&1 && sinfo -h >/dev/null 2>&1; then
    echo "ci-smoke: the same run with every stage a Slurm job, on a second store"
    slurm_store="$(mktemp -d)/store"
    "$assay" run experiments/colored-fmnist-dfr.yaml "${small[@]}" --threads 2 --store "$slurm_store" --executor slurm --cpus 2 \
        | tee "$artifacts/slurm-run.txt"
    # Content-addressed stores: equal artifacts bit for bit means equal object sets.
    objects() { (cd "$1/objects" && find . -type f | sort); }
    if ! diff <(objects "$store") <(objects "$slurm_store") >"$artifacts/slurm-vs-local.diff"; then
        echo "ci-smoke: the Slurm run's artifacts differ from the local run's (see $artifacts/slurm-vs-local.diff)" >&2
        exit 1
    fi
    echo "ci-smoke: Slurm artifacts equal the local run's ($(objects "$store" | wc -l) objects)"
fi
echo "ci-smoke: the benchmark comparison, one tiny step per network (PyTorch side skipped when absent)"
swift build -c release --product assay-bench >/dev/null
scripts/bench-compare.sh --rounds 1 --steps 1 --batch 2 --networks small-cnn,squeeze-segnet,segnet | tee "$artifacts/bench-compare.txt"
grep -q "^small-cnn_train" "$artifacts/bench-compare.txt" || { echo "ci-smoke: bench-compare printed no small-cnn row" >&2; exit 1; }
echo "ci-smoke: the image-folder load benchmark on a 64-image folder"
ASSAY_BENCH_IMAGES=64 ASSAY_BENCH_IMAGES_ONLY=1 .build/release/assay-bench data | tee "$artifacts/bench-images.json"
grep -q '"data.image-folder.load-64-224.peak-rss"' "$artifacts/bench-images.json" || { echo "ci-smoke: the load benchmark reported no peak RSS" >&2; exit 1; }
echo "ci-smoke: ok (report screenshots in $artifacts/browser-check, Selenium screenshots in $artifacts/browser)"
