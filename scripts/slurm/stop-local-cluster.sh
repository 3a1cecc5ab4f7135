#!/usr/bin/env bash
# Stops the cluster started by start-local-cluster.sh: cancels every job,
# stops slurmd, slurmctld and (unless --keep-munge) munged, each by the
# process id in its pid file. Stopping a cluster that does not run is harmless.
set -euo pipefail

run_dir=/run/assay-slurm
keep_munge=0
[[ ${1:-} == --keep-munge ]] && keep_munge=1

say() { echo "stop-local-cluster: $*"; }

# Sends TERM to the process of a pid file and waits (up to 10 s) for it to end.
stop_daemon() {
    local name=$1 pid_file=$2 pid
    [[ -s $pid_file ]] || return 0
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
        say "stopping $name ($pid)"
        kill -TERM "$pid"
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name did not stop: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pid_file"
}

# Every job of every user: this is a throwaway test cluster.
if [[ -s $run_dir/slurmctld.pid ]] && kill -0 "$(cat "$run_dir/slurmctld.pid")" 2>/dev/null; then
    mapfile -t jobs < <(squeue --noheader --format=%A 2>/dev/null || true)
    if ((${#jobs[@]})); then
        say "cancelling ${#jobs[@]} job(s)"
        scancel --full --quiet "${jobs[@]}" 2>/dev/null || true
    fi
fi
stop_daemon slurmd "$run_dir/slurmd.pid"
stop_daemon slurmctld "$run_dir/slurmctld.pid"
((keep_munge)) || stop_daemon munged /run/munge/munged.pid
