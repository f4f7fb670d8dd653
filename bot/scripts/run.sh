#!/usr/bin/env bash
# Starts the action server, the reminder scheduler and the Rasa server; stops them all on
# Ctrl+C. Used by `make run`.
set -euo pipefail
rasa_port=${1:-5005}
action_port=${2:-5055}
cd "$(dirname "$0")/../.."
source bot/scripts/lib.sh

start_action_server "$action_port"
start_scheduler
trap 'stop_scheduler; stop_action_server' EXIT

echo
echo "Trust-repair assistant starting on http://127.0.0.1:${rasa_port} (ready in about 20 s)"
echo "  talk over REST:  curl -s -XPOST http://127.0.0.1:${rasa_port}/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
echo "  chat in the browser: http://127.0.0.1:${rasa_port}/widget/"
echo "  or in a terminal: make shell"
echo
.venv/bin/python -m bot.rasa_cli run --model models/trust-repair.tar.gz --interface "${RASA_HOST:-127.0.0.1}" --port "$rasa_port" \
  --endpoints "$(endpoints_for "$action_port")" --credentials credentials.yml
