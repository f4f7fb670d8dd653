# Shared by run.sh, shell.sh and the test script: start/stop the action server.
ACTION_SERVER_PID=""

start_action_server() {
  local port=$1
  .venv/bin/python -m bot.action_server --port "$port" &
  ACTION_SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:${port}/health" >/dev/null; then return 0; fi
    if ! kill -0 "$ACTION_SERVER_PID" 2>/dev/null; then echo "action server failed to start" >&2; return 1; fi
    sleep 0.5
  done
  echo "action server did not become ready on port ${port}" >&2
  return 1
}

stop_action_server() {
  if [ -n "$ACTION_SERVER_PID" ]; then kill "$ACTION_SERVER_PID" 2>/dev/null || true; wait "$ACTION_SERVER_PID" 2>/dev/null || true; fi
}

# The reminder scheduler (actions/reminders/runner.py): one process beside the action server.
SCHEDULER_PID=""

start_scheduler() {
  .venv/bin/python -m actions.reminders &
  SCHEDULER_PID=$!
}

stop_scheduler() {
  if [ -n "$SCHEDULER_PID" ]; then kill "$SCHEDULER_PID" 2>/dev/null || true; wait "$SCHEDULER_PID" 2>/dev/null || true; fi
}
