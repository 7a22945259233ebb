#!/usr/bin/env bash
# Runs every chapter's pytest suite (each chapter is its own uv project) and
# fails if any chapter fails. Usage: ./test.sh
set -u
cd "$(dirname "$0")"
export MPLBACKEND=Agg   # no windows during tests

passed=0; failed=0; broken=""
for chapter in point_classifier_2d mnist blobs_classifier mlp_regression; do
    echo "=== $chapter ==="
    log=$(mktemp)
    (cd "$chapter" && uv run pytest -q) 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    summary=$(tail -n 1 "$log")
    rm -f "$log"
    # pytest's last line reads like "12 passed, 1 failed, 2 skipped in 30.1s"
    p=$(echo "$summary" | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^passed/) n += $(i-1)} END {print n + 0}')
    f=$(echo "$summary" | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^(failed|error)/) n += $(i-1)} END {print n + 0}')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$status" -ne 0 ]; then
        broken="$broken $chapter"
        [ "$f" -eq 0 ] && failed=$((failed + 1))   # a collection error, or no tests at all
    fi
done

echo
[ -n "$broken" ] && echo "Chapters that failed:$broken"
echo "$passed passed, $failed failed"
[ -z "$broken" ]
