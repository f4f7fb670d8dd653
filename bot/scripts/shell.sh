#!/usr/bin/env bash
# Talks to the assistant in the terminal, with the action server in the background.
set -euo pipefail
action_port=${1:-5055}
cd "$(dirname "$0")/../.."
source bot/scripts/lib.sh

start_action_server "$action_port"
trap stop_action_server EXIT
# One conversation id for the shell, so reminders and progress carry over between sessions;
# a check-in that came due since the last one is shown before the prompt.
conversation=${SHELL_CONVERSATION_ID:-shell}
.venv/bin/python -m actions.reminders.waiting "$conversation" || true
.venv/bin/rasa shell --model models/trust-repair.tar.gz --endpoints endpoints.yml --quiet \
  --conversation-id "$conversation"
