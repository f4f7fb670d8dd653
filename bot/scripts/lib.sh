# Shared by run.sh, shell.sh and the test script: start/stop the action server.
ACTION_SERVER_PID=""

# The secret Rasa sends the action server (endpoints.yml): from the environment, or
# var/action_server.secret, created with a random value on first use (mode 0600).
ACTION_SERVER_TOKEN=$(.venv/bin/python -m bot.shared_secret)
export ACTION_SERVER_TOKEN

# Sanic reads this when Rasa creates its app: bodies over 1 MB get 413 on every channel
# before they are read (Sanic's default is 100 MB). REST refuses over 64 KB itself.
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1048576}

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

endpoints_for() {  # endpoints_for PORT: endpoints.yml with the action server on PORT (a path)
  local port=$1
  if [ "$port" = "5055" ]; then echo endpoints.yml; return; fi
  mkdir -p var
  sed "s#127.0.0.1:5055/#127.0.0.1:${port}/#" endpoints.yml > "var/endpoints.${port}.yml"
  echo "var/endpoints.${port}.yml"
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
