#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine, from nothing, as root,
# without systemd: installs the Debian packages if missing, starts munged,
# writes /etc/slurm/slurm.conf from slurm.conf.template, starts slurmctld and
# slurmd, and waits until the node is idle. Running it again is harmless: what
# already runs with the same configuration is left alone.
#
# Environment (all optional):
#   ASSAY_SLURM_PARTITION   partition name              (default: debug)
#   ASSAY_SLURM_MIN_JOB_AGE seconds squeue keeps a finished job (default: 30)
#   ASSAY_SLURM_TIMEOUT     seconds to wait for an idle node    (default: 60)
set -euo pipefail

started_at=$(date +%s.%N)
here="$(cd "$(dirname "$0")" && pwd)"

partition="${ASSAY_SLURM_PARTITION:-debug}"
min_job_age="${ASSAY_SLURM_MIN_JOB_AGE:-30}"
timeout="${ASSAY_SLURM_TIMEOUT:-60}"

conf_dir=/etc/slurm
conf="$conf_dir/slurm.conf"
state_dir=/var/lib/assay-slurm
log_dir=/var/log/assay-slurm
run_dir=/run/assay-slurm

say() { echo "start-local-cluster: $*"; }
fail() { echo "start-local-cluster: error: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "run as root (it installs packages and starts daemons)"

# A process is alive if its pid file names a running process.
alive() {
    local pid_file=$1
    [[ -s $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

# 1. Packages.
missing=()
for package in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
fi

# 2. The host name must resolve, since slurmd finds its node by it.
host=$(hostname -s)
if ! getent hosts "$host" >/dev/null; then
    say "adding $host to /etc/hosts"
    echo "127.0.1.1 $host" >>/etc/hosts
fi

# 3. Munge: a key readable by munge only, a run directory, the daemon as munge.
if [[ ! -s /etc/munge/munge.key ]]; then
    say "creating the munge key"
    install -d -o munge -g munge -m 0700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0711 /var/lib/munge
install -d -o munge -g munge -m 0700 /var/log/munge
if ! alive /run/munge/munged.pid; then
    say "starting munged"
    runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.1
done
munge -n | unmunge >/dev/null || fail "munge does not work (see /var/log/munge/munged.log)"

# 4. slurm.conf from the template, with this machine's CPUs and memory.
hardware=$(slurmd -C | head -1)
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$hardware"; }
cpus=$(field CPUs)
memory=$(field RealMemory)
# Leave a little memory to the system, and give jobs without --mem a fair share.
memory=$((memory * 95 / 100))
def_mem_per_cpu=$((memory / cpus))
install -d -m 0755 "$conf_dir" "$state_dir/slurmctld" "$state_dir/slurmd" "$log_dir" "$run_dir"
new_conf=$(sed \
    -e "s|@HOST@|$host|g" \
    -e "s|@CPUS@|$cpus|g" \
    -e "s|@BOARDS@|$(field Boards)|g" \
    -e "s|@SOCKETS@|$(field SocketsPerBoard)|g" \
    -e "s|@CORES@|$(field CoresPerSocket)|g" \
    -e "s|@THREADS@|$(field ThreadsPerCore)|g" \
    -e "s|@MEMORY@|$memory|g" \
    -e "s|@DEF_MEM_PER_CPU@|$def_mem_per_cpu|g" \
    -e "s|@PARTITION@|$partition|g" \
    -e "s|@MIN_JOB_AGE@|$min_job_age|g" \
    -e "s|@STATE_DIR@|$state_dir|g" \
    -e "s|@LOG_DIR@|$log_dir|g" \
    -e "s|@RUN_DIR@|$run_dir|g" \
    "$here/slurm.conf.template")
conf_changed=0
if [[ ! -f $conf ]] || [[ "$(cat "$conf")" != "$new_conf" ]]; then
    say "writing $conf"
    printf '%s\n' "$new_conf" >"$conf"
    conf_changed=1
fi

# 5. The daemons. A changed configuration restarts them (a node's CPUs or
# memory cannot change under `scontrol reconfigure`).
if ((conf_changed)) && { alive "$run_dir/slurmctld.pid" || alive "$run_dir/slurmd.pid"; }; then
    say "configuration changed: restarting the daemons"
    "$here/stop-local-cluster.sh" --keep-munge
fi
if ! alive "$run_dir/slurmctld.pid"; then
    say "starting slurmctld"
    /usr/sbin/slurmctld
fi
if ! alive "$run_dir/slurmd.pid"; then
    say "starting slurmd"
    /usr/sbin/slurmd
fi

# 6. Wait for the node to be idle (or busy with jobs), resuming it if an
# unclean stop left it down or drained.
deadline=$(($(date +%s) + timeout))
while :; do
    state=$(sinfo -h -N -n "$host" -o '%t' 2>/dev/null | head -1 || true)
    case "$state" in
        idle | mix | alloc) break ;;
        down* | drain* | drng*)
            scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    if (($(date +%s) >= deadline)); then
        fail "node $host is '${state:-unknown}' after ${timeout}s (see $log_dir/slurmctld.log and $log_dir/slurmd.log)"
    fi
    sleep 0.2
done

elapsed=$(echo "$(date +%s.%N) - $started_at" | bc -l 2>/dev/null || python3 -c "print($(date +%s.%N) - $started_at)")
printf 'start-local-cluster: node %s is %s (partition %s, %s CPUs, %s MB) after %.1f s\n' \
    "$host" "$state" "$partition" "$cpus" "$memory" "$elapsed"
