#!/usr/bin/env bash
# One-node SLURM cluster for CI and local testing of the snakemake SLURM executor.
#
#   bash .ci/slurm.sh start    install slurm-wlm + munge if missing, write
#                              /etc/slurm/slurm.conf for this machine, start
#                              munged, slurmctld and slurmd as plain background
#                              daemons and wait until `sinfo` shows the node idle
#   bash .ci/slurm.sh status   show the recorded daemons and `sinfo`
#   bash .ci/slurm.sh stop     stop the daemons by their recorded PIDs
#
# Needs root (apt-get, /etc/slurm, /run/munge). No systemd is used. PIDs, logs
# and the spool directories live in $SLURM_STATE_DIR (default
# /tmp/screening-slurm). `start` is idempotent: a cluster that is already up is
# left alone.
#
# The configuration has no accounting database (AccountingStorageType=none):
# snakemake must be told `--slurm-status-command squeue` (see
# profiles/slurm/config.yaml, which sets it). MinJobAge=600 keeps finished jobs visible to
# squeue long enough for snakemake's status checks.
set -euo pipefail

STATE_DIR="${SLURM_STATE_DIR:-/tmp/screening-slurm}"
CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
WAIT_SECONDS="${SLURM_WAIT_SECONDS:-120}"
PARTITION="${SLURM_PARTITION_NAME:-ci}"
DAEMONS=(munged slurmctld slurmd)

log() { printf '[slurm.sh] %s\n' "$*"; }
die() { printf '[slurm.sh] ERROR: %s\n' "$*" >&2; exit 1; }

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

recorded_pid() { cat "$STATE_DIR/$1.pid" 2>/dev/null || true; }

# 0 if every recorded daemon is alive
all_alive() {
    local d
    for d in "${DAEMONS[@]}"; do
        pid_alive "$(recorded_pid "$d")" || return 1
    done
}

any_alive() {
    local d
    for d in "${DAEMONS[@]}"; do
        pid_alive "$(recorded_pid "$d")" && return 0
    done
    return 1
}

node_name() { hostname -s; }

# 0 if sinfo reports our node idle (or mixed/allocated: up and usable)
node_ready() {
    local state
    state="$(sinfo -h -N -n "$(node_name)" -o '%T' 2>/dev/null | head -n1 || true)"
    [[ "$state" == idle* || "$state" == mixed* || "$state" == allocated* ]]
}

need_root() { [[ "$(id -u)" == 0 ]] || die "must run as root"; }

install_packages() {
    if dpkg -s slurm-wlm munge >/dev/null 2>&1 && command -v slurmctld >/dev/null && command -v munged >/dev/null; then
        log "slurm-wlm and munge already installed: $(slurmctld -V 2>/dev/null || true)"
        return
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Keep the packages' maintainer scripts from trying to start services
    # (there is no init system here); this script starts the daemons itself.
    local made_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local t0=$SECONDS
    log "apt-get update"
    apt-get update -qq
    log "apt-get install -y slurm-wlm munge"
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >"$STATE_DIR/apt.log" 2>&1 \
        || { tail -n 30 "$STATE_DIR/apt.log" >&2; die "apt-get install failed (log: $STATE_DIR/apt.log)"; }
    [[ $made_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d
    log "installed $(slurmctld -V) in $((SECONDS - t0)) s"
}

setup_munge() {
    getent passwd munge >/dev/null || die "user munge missing (munge package broken?)"
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating /etc/munge/munge.key"
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile=/etc/munge/munge.key --force
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
}

write_conf() {
    local node cpus mem_kb mem_mb headroom real_mem
    node="$(node_name)"
    cpus="$(nproc)"
    mem_kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
    mem_mb=$((mem_kb / 1024))
    # leave 10% (at least 1 GiB) for the OS and the daemons; slurmd drains the
    # node if RealMemory exceeds what it measures itself
    headroom=$((mem_mb / 10))
    ((headroom < 1024)) && headroom=1024
    real_mem=$((mem_mb - headroom))
    install -d "$CONF_DIR" "$STATE_DIR/ctld" "$STATE_DIR/d"
    cat >"$CONF" <<EOF
# Written by .ci/slurm.sh on $(date -u +%FT%TZ): one-node cluster on this machine.
ClusterName=screening
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# keep finished jobs in squeue for 10 min: snakemake's squeue status check needs them
MinJobAge=600
ReturnToService=2
SlurmctldTimeout=60
SlurmdTimeout=60
StateSaveLocation=${STATE_DIR}/ctld
SlurmdSpoolDir=${STATE_DIR}/d
SlurmctldPidFile=${STATE_DIR}/slurmctld.daemon.pid
SlurmdPidFile=${STATE_DIR}/slurmd.daemon.pid
SlurmctldLogFile=${STATE_DIR}/slurmctld.log
SlurmdLogFile=${STATE_DIR}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${real_mem} State=UNKNOWN
PartitionName=${PARTITION} Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    log "wrote $CONF: NodeName=$node CPUs=$cpus RealMemory=${real_mem}MB (MemTotal ${mem_mb}MB), partition '$PARTITION'"
}

# wait (bounded) for a daemon's own pid file and record the pid
record_pid() {
    local name=$1 pidfile=$2 i pid=""
    for ((i = 0; i < 100; i++)); do
        pid="$(cat "$pidfile" 2>/dev/null || true)"
        pid_alive "$pid" && break
        pid=""
        sleep 0.1
    done
    [[ -n "$pid" ]] || return 1
    echo "$pid" >"$STATE_DIR/$name.pid"
    log "started $name (pid $pid)"
}

start_daemons() {
    # munged: as the munge user, daemonizes and writes /run/munge/munged.pid
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged --force
    record_pid munged /run/munge/munged.pid || die "munged did not start"
    munge -n | unmunge >/dev/null || die "munge round trip failed"

    rm -f "$STATE_DIR/slurmctld.daemon.pid" "$STATE_DIR/slurmd.daemon.pid"
    # -i: ignore (and discard) saved state from an earlier run
    slurmctld -i
    record_pid slurmctld "$STATE_DIR/slurmctld.daemon.pid" \
        || { tail -n 20 "$STATE_DIR/slurmctld.log" >&2; die "slurmctld did not start"; }
    slurmd -N "$(node_name)"
    record_pid slurmd "$STATE_DIR/slurmd.daemon.pid" \
        || { tail -n 20 "$STATE_DIR/slurmd.log" >&2; die "slurmd did not start"; }
}

wait_idle() {
    local t0=$SECONDS
    while ((SECONDS - t0 < WAIT_SECONDS)); do
        if node_ready; then
            log "node $(node_name) is up after $((SECONDS - t0)) s"
            return 0
        fi
        # a node left DOWN/DRAINED from an earlier run: bring it back
        if sinfo -h -N -o '%T' 2>/dev/null | grep -qE 'down|drain'; then
            scontrol update NodeName="$(node_name)" State=RESUME 2>/dev/null || true
        fi
        sleep 1
    done
    sinfo -N -l >&2 || true
    scontrol show node "$(node_name)" >&2 || true
    tail -n 20 "$STATE_DIR/slurmctld.log" "$STATE_DIR/slurmd.log" >&2 || true
    die "node not idle after ${WAIT_SECONDS} s"
}

kill_recorded() {
    local d pid i
    # stop in reverse order: slurmd, slurmctld, munged
    for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
        d=${DAEMONS[$i]}
        pid="$(recorded_pid "$d")"
        if pid_alive "$pid"; then
            kill "$pid" 2>/dev/null || true
            local n
            for ((n = 0; n < 100; n++)); do pid_alive "$pid" || break; sleep 0.1; done
            if pid_alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
            log "stopped $d (pid $pid)"
        fi
        rm -f "$STATE_DIR/$d.pid"
    done
}

cmd_start() {
    need_root
    local t0=$SECONDS
    mkdir -p "$STATE_DIR"
    if all_alive && node_ready; then
        log "already up (state in $STATE_DIR):"
        sinfo
        return 0
    fi
    if any_alive; then
        log "partially running: stopping the leftovers first"
        kill_recorded
    fi
    local foreign
    foreign="$( (pgrep -x slurmctld; pgrep -x slurmd) || true)"
    if [[ -n "$foreign" ]]; then
        die "SLURM daemons not started by this script are running (pids: $(echo $foreign)); stop them first"
    fi
    install_packages
    setup_munge
    write_conf
    start_daemons
    wait_idle
    sinfo
    log "SLURM up in $((SECONDS - t0)) s (state, logs and PIDs in $STATE_DIR; stop with: bash .ci/slurm.sh stop)"
}

cmd_stop() {
    if ! any_alive; then
        log "not running (no live PIDs recorded in $STATE_DIR)"
        return 0
    fi
    # cancel what is still queued or running so that no job step outlives slurmd
    if command -v squeue >/dev/null && pid_alive "$(recorded_pid slurmctld)"; then
        local jobs
        jobs="$(squeue -h -o '%i' -t PENDING,RUNNING,CONFIGURING,COMPLETING 2>/dev/null || true)"
        if [[ -n "$jobs" ]]; then
            log "cancelling jobs: $(echo $jobs)"
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            sleep 2
        fi
    fi
    kill_recorded
}

cmd_status() {
    local d pid rc=0
    for d in "${DAEMONS[@]}"; do
        pid="$(recorded_pid "$d")"
        if pid_alive "$pid"; then log "$d: running (pid $pid)"; else log "$d: not running"; rc=1; fi
    done
    if command -v sinfo >/dev/null && [[ $rc == 0 ]]; then sinfo -N -l || rc=1; fi
    return $rc
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
