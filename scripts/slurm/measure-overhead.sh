#!/usr/bin/env bash
# Measures what Slurm adds to each Assay stage on a running cluster:
#   - sbatch -> RUNNING latency of a trivial job (squeue polled every 20 ms),
#   - sbatch -> finished (left the queue as COMPLETED) for a trivial job,
#   - a chain of afterok-dependent trivial jobs, divided per job.
# Usage: measure-overhead.sh [jobs]   (default 10)
set -euo pipefail

count=${1:-10}
work=$(mktemp -d /tmp/assay-slurm-measure.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\ntrue\n' >"$work/true.sh"

now() { date +%s.%N; }
state() { squeue -h -t all -j "$1" -o %T 2>/dev/null || true; }

to_running=()
to_done=()
for _ in $(seq "$count"); do
    t0=$(now)
    id=$(sbatch --parsable --output=/dev/null --cpus-per-task=1 --mem=100M "$work/true.sh")
    seen_running=""
    while :; do
        s=$(state "$id")
        if [[ -z $seen_running && $s != PENDING && $s != CONFIGURING ]]; then seen_running=$(now); fi
        [[ $s == COMPLETED || $s == FAILED || $s == CANCELLED ]] && break
        sleep 0.02
    done
    t1=$(now)
    to_running+=("$(echo "$seen_running - $t0" | bc -l)")
    to_done+=("$(echo "$t1 - $t0" | bc -l)")
done

# A chain: each job depends on the previous one, submitted all at once.
t0=$(now)
previous=""
for _ in $(seq "$count"); do
    dependency=()
    [[ -n $previous ]] && dependency=(--dependency=afterok:"$previous" --kill-on-invalid-dep=yes)
    previous=$(sbatch --parsable --output=/dev/null --cpus-per-task=1 --mem=100M "${dependency[@]}" "$work/true.sh")
done
while [[ $(state "$previous") != COMPLETED ]]; do
    [[ $(state "$previous") == CANCELLED || $(state "$previous") == FAILED ]] && { echo "chain failed" >&2; exit 1; }
    sleep 0.02
done
chain=$(echo "$(now) - $t0" | bc -l)

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "median %.3f s, mean %.3f s, min %.3f s, max %.3f s", a[int((NR+1)/2)], s/NR, a[1], a[NR]}'; }
echo "trivial job, sbatch -> running:  $(stats "${to_running[@]}")  ($count jobs)"
echo "trivial job, sbatch -> completed: $(stats "${to_done[@]}")  ($count jobs)"
printf 'afterok chain of %d trivial jobs: %.2f s, %.3f s per job\n' "$count" "$chain" "$(echo "$chain / $count" | bc -l)"
