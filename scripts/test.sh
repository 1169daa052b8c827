#!/usr/bin/env bash
# The test command: build the wheel, install it in a fresh virtual environment
# with the test tools, and run the whole suite (tests, mypy --strict, ruff)
# against the installed package, from outside the source tree.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${CECOT_TEST_VENV:-"$repo/.venv-test"}
python=${PYTHON:-python3}

"$python" -m venv --clear "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip build
dist=$(mktemp -d)
"$venv/bin/python" -m build --wheel --outdir "$dist" "$repo" >/dev/null
wheel=$(ls "$dist"/cecot_data-*.whl)
"$venv/bin/python" -m pip install --quiet "${wheel}[test]"

# cffconvert pins jsonschema<4, which frictionless cannot share: it gets a venv of its own.
cffvenv=${CECOT_CFF_VENV:-"$repo/.venv-cff"}
if [ ! -x "$cffvenv/bin/cffconvert" ]; then
    "$python" -m venv --clear "$cffvenv"
    "$cffvenv/bin/python" -m pip install --quiet cffconvert
fi
export CECOT_CFFCONVERT="$cffvenv/bin/cffconvert"

# Hypothesis examples are derandomized here (the "ci" profile, tests/conftest.py), so a run
# gives the same answer every time; CECOT_HYPOTHESIS_PROFILE=long runs ten times as many.
export CECOT_HYPOTHESIS_PROFILE=${CECOT_HYPOTHESIS_PROFILE:-ci}

# Run from an empty directory so that nothing imports the source tree by accident.
cd "$(mktemp -d)"
"$venv/bin/python" -m pytest "$repo/tests" -p no:cacheprovider "$@"
