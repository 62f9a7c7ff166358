#!/usr/bin/env bash
# Usage: watchdog.sh WORK_DIR COMMAND [ARGUMENT...]
# Runs a command for a test fixture (its server, or a step that prepares WORK_DIR) until the command ends or
# our stdin closes; in the second case it stops the command and deletes WORK_DIR. The stdin is a pipe from
# the test run: it closes when the fixture is disposed and also when the run ends in any way, even killed
# outright (dotnet test's host kills itself when its runner is stopped), so nothing outlives its run.
# Stopping the command from here, its parent, also reaps it: the machine's init may not.
set -uo pipefail
work_dir=$1
shift
# Ctrl+C or a closed terminal signals the run's whole process group. Keep out of it (the command in a
# session of its own) and let the closing stdin stop the command in order.
trap '' INT HUP

exec 3<&0 # background jobs get /dev/null as stdin, so hand ours on as fd 3
setsid "$@" </dev/null 3<&- &
command=$!
cat <&3 >/dev/null &
stdin_open=$!
exec 3<&-

wait -n -p ended "$command" "$stdin_open"
status=$?
if [ "$ended" = "$command" ]; then
  kill "$stdin_open"
  wait "$stdin_open"
  exit "$status"
fi

kill -TERM "$command" # runuser passes it on to postgres
for _ in {1..50}; do
  kill -0 "$command" 2>/dev/null || break
  sleep 0.2
done
kill -KILL "$command" 2>/dev/null
wait "$command"
rm -rf "$work_dir"
