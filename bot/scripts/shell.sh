#!/usr/bin/env bash
# Talks to the assistant in the terminal, with the action server in the background.
set -euo pipefail
action_port=${1:-5055}
cd "$(dirname "$0")/../.."
source bot/scripts/lib.sh

start_action_server "$action_port"
trap stop_action_server EXIT
.venv/bin/python -m bot.rasa_server shell --model models/trust-repair.tar.gz --endpoints endpoints.yml --quiet
