#!/usr/bin/env bash
# Talks to the assistant in the terminal. Used by `make shell`.
# Beside a running `make run` it talks to that server (nothing else is started); on its own
# it starts the action server if none answers, and Rasa's shell on a free port, so it never
# collides with a server on 5005.
set -euo pipefail
action_port=${1:-5055}
rasa_port=${2:-5005}
cd "$(dirname "$0")/../.."
source bot/scripts/lib.sh

# One conversation id for the shell, so reminders and progress carry over between sessions;
# a check-in that came due since the last one is shown before the prompt.
conversation=${SHELL_CONVERSATION_ID:-shell}
.venv/bin/python -m actions.reminders.waiting "$conversation" || true

if curl -sf "http://127.0.0.1:${rasa_port}/" 2>/dev/null | grep -q "Hello from Rasa"; then
  echo "Talking to the assistant running on port ${rasa_port}. Type /stop to leave."
  exec .venv/bin/python -m bot.console --url "http://127.0.0.1:${rasa_port}" --sender "$conversation"
fi

if ! curl -sf "http://127.0.0.1:${action_port}/health" >/dev/null 2>&1; then
  start_action_server "$action_port"
  trap stop_action_server EXIT
fi
shell_port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/python -m bot.rasa_cli shell --model models/trust-repair.tar.gz --endpoints "$(endpoints_for "$action_port")" \
  --port "$shell_port" --quiet --conversation-id "$conversation"
