#!/usr/bin/env bash
# Every experiment in experiments/ runs as shipped, CI-sized: the table below gives each file the
# `-p` overrides that make it small. A file missing from the table fails this script, so a new
# example cannot go untested. The main example, fv-attacks and segmentation run in ci-smoke.sh
# (which calls this script), with checks of their own.
#   bash scripts/ci-examples.sh [ASSAY_BINARY] [ARTIFACTS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
assay="${1:-.build/release/assay}"
artifacts="${2:-${ASSAY_CI_ARTIFACTS:-/tmp/assay-ci-artifacts}}/examples"
mkdir -p "$artifacts"

declare -A overrides=(
    [colored-fmnist-dfr.yaml]="run by ci-smoke.sh"
    [fv-attacks.yaml]="run by ci-smoke.sh"
    [segmentation.yaml]="run by ci-smoke.sh"
    [architectures.yaml]="-p epochs=1"
    [celeba-dfr.yaml]="-p epochs=2"
    [dfr-sweep.yaml]="-p train-size=2000 -p test-size=1000 -p epochs=1"
    [waterbirds-dfr.yaml]="-p epochs=2"
)

missing=0
for path in experiments/*.yaml; do
    file="$(basename "$path")"
    if [[ -z "${overrides[$file]+set}" ]]; then
        echo "ci-examples: $path is not run by CI; add it to the table in scripts/ci-examples.sh" >&2
        missing=1
    fi
done
[[ $missing == 0 ]] || exit 1

store="$(mktemp -d)/store"
for file in $(printf '%s\n' "${!overrides[@]}" | sort); do
    [[ "${overrides[$file]}" == "run by ci-smoke.sh" ]] && continue
    name="${file%.yaml}"
    echo "ci-examples: $file ${overrides[$file]}"
    # shellcheck disable=SC2086  # the overrides are several words on purpose
    "$assay" run "experiments/$file" ${overrides[$file]} --threads 2 --store "$store" --results "$artifacts/$name" | tee "$artifacts/$name.txt"
done
echo "ci-examples: ok (${#overrides[@]} examples)"
