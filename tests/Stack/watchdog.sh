#!/bin/sh
# Safety net for a Cruddur test stack: when the PowerShell process that started the stack dies without calling
# Stop-CruddurStack, stop the stack's services (each leads its own process group) so none outlives the harness.
# Usage: watchdog.sh <owner pid> <file listing service pids>
# procps' /bin/kill, because dash's builtin kill does not take `--` before a negative (process group) id.
owner=$1
pidfile=$2
volatile="$(dirname "$pidfile")/volatile"
# The lists are read while the owner lives, because a test framework may delete the stack's root before the owner
# exits, and once more after it died, because it may have started a service after the last read.
pids=""
dirs=""
read_lists() {
    [ -f "$pidfile" ] && pids=$(cat "$pidfile")
    [ -f "$volatile" ] && dirs=$(cat "$volatile")
    return 0
}
while kill -0 "$owner" 2>/dev/null; do
    read_lists
    sleep 1
done
read_lists
[ -n "$pids" ] || exit 0
for p in $pids; do /bin/kill -s TERM -- "-$p" 2>/dev/null; done
# Give dockerd and postgres up to 20 s to shut down cleanly, then force.
i=0
while [ $i -lt 40 ]; do
    alive=0
    # A service that has exited stays a zombie (state Z) until init reaps it, and kill -0 still reaches a zombie.
    for p in $pids; do
        case $(ps -o stat= -p "$p" 2>/dev/null) in '' | Z*) ;; *) alive=1 ;; esac
    done
    [ $alive -eq 0 ] && break
    sleep 0.5
    i=$((i + 1))
done
for p in $pids; do /bin/kill -s KILL -- "-$p" 2>/dev/null; done
# Directories outside the root (the PostgreSQL data on tmpfs) would otherwise hold memory until reboot.
printf '%s\n' "$dirs" | while IFS= read -r dir; do [ -n "$dir" ] && rm -rf -- "$dir"; done
exit 0
