#!/usr/bin/env bash
# Runs the conversation tests (tests/test_*.yml) against the trained model and fails on any
# wrong prediction. Custom actions are predicted, not executed, by `rasa test`; what they
# say is covered by pytest (tests/test_*_actions.py and tests/test_live_conversations.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.venv/bin/rasa test core --model models/trust-repair.tar.gz --stories tests --out "$out" \
  --fail-on-prediction-errors --no-plot --quiet
