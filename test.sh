#!/usr/bin/env bash
# Runs every chapter's pytest suite (each chapter is its own uv project), then
# every `uv run` command written in the READMEs, and fails if anything fails.
# Usage: ./test.sh   (real-MNIST tests run when MNIST_DATA_DIR is set)
set -u
cd "$(dirname "$0")"
export MPLBACKEND=Agg   # no windows during tests

passed=0; failed=0; broken=""

run_suite() {  # run_suite NAME FOLDER COMMAND...
    local name=$1 folder=$2; shift 2
    echo "=== $name ==="
    local log; log=$(mktemp)
    (cd "$folder" && "$@") 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    # pytest's last line reads like "12 passed, 1 failed, 2 skipped in 30.1s"
    local summary; summary=$(tail -n 1 "$log"); rm -f "$log"
    local p f
    p=$(echo "$summary" | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^passed/) n += $(i-1)} END {print n + 0}')
    f=$(echo "$summary" | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^(failed|error)/) n += $(i-1)} END {print n + 0}')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$status" -ne 0 ]; then
        broken="$broken $name"
        [ "$f" -eq 0 ] && failed=$((failed + 1))   # a collection error, or no tests at all
    fi
}

for chapter in point_classifier_2d mnist blobs_classifier mlp_regression; do
    run_suite "$chapter" "$chapter" uv run pytest -q
done
run_suite "README commands" . uv run --no-project --with "pytest>=8" pytest -q -rs readme_check

echo
[ -n "$broken" ] && echo "Failed:$broken"
echo "$passed passed, $failed failed"
[ -z "$broken" ]
