#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to find. Called by `make test` (and CI).
set -uo pipefail
cd "$(dirname "$0")/../.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
failed=()

step() {  # step NAME COMMAND...: run, remember failures, keep going so one run shows everything
  local name=$1; shift
  echo; echo "=== $name"
  "$@"
  local rc=$?
  if [ "$name" = "pytest" ] && [ $rc -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here"; rc=1
  fi
  [ $rc -eq 0 ] || failed+=("$name")
}

step "lint (ruff)" bash -c ".venv/bin/ruff check . && .venv/bin/ruff format --check ."
step "rasa data validate" .venv/bin/rasa data validate --fail-on-warnings --quiet
# Two workers, whole files each (a file's servers and fixtures stay in one process): the live
# tests spend most of their time waiting for servers, so the other core runs tests meanwhile.
step "pytest" .venv/bin/python -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" --dist loadfile
# The held-out gate only: the cross-validated report on the training data is no gate and
# would train the detector five more times (`make safety-eval` prints it).
step "safety evaluation" .venv/bin/python -m bot.tools.safety_eval --model models/trust-repair.tar.gz --quiet --no-cv
step "conversation tests" bash bot/scripts/conversation_tests.sh

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test steps passed"
