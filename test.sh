#!/usr/bin/env bash
# Runs every chapter's pytest suite (each chapter is its own uv project) and booktools', then
# every `uv run` command written in the READMEs and every script under cp932
# (readme_check/), then the checks for other readers' machines (platform_check/:
# every chapter resolves on Linux, Windows and both kinds of Mac; the main scripts
# run on an Intel Mac's torch 2.2.2; the GitHub Actions workflow passes actionlint; every
# runner takes the chapters from booktools/booktools/chapters.py),
# and fails if anything fails.
# Usage: ./test.sh   (real-MNIST tests run when MNIST_DATA_DIR is set)
#
# Two things run at a time, one per CPU core: two suites side by side (their
# logs are shown when all have ended), then the README check on two pytest-xdist
# workers. Every training uses one thread, so two at a time fill two cores without
# fighting over threads.
set -u
cd "$(dirname "$0")"
export MPLBACKEND=Agg   # no windows during tests
# Let Python cache compiled bytecode: without it every `uv run` compiles torch's
# modules again (several seconds per run, and the checks start about a hundred runs).
unset PYTHONDONTWRITEBYTECODE

passed=0; failed=0; broken=""
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

count() {  # count NAME STATUS LOG: add the counts of pytest's last line to the totals
    local name=$1 status=$2 log=$3
    # pytest's last line reads like "12 passed, 1 failed, 2 skipped in 30.1s"
    local summary; summary=$(tail -n 1 "$log")
    local p f
    p=$(echo "$summary" | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^passed/) n += $(i-1)} END {print n + 0}')
    f=$(echo "$summary" | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^(failed|error)/) n += $(i-1)} END {print n + 0}')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$status" -ne 0 ]; then
        broken="$broken $name"
        [ "$f" -eq 0 ] && failed=$((failed + 1))   # a collection error, or no tests at all
    fi
}

# Every suite: each chapter (a top-level folder whose pyproject.toml installs booktools through a
# uv path source: booktools/booktools/chapters.py says which, nothing here names them) and
# booktools' own, the longest first (guessed from the size of their tests). Python 3.11 for
# its tomllib: uv finds it (.python-version).
suites=$(uv run --quiet --no-project python booktools/booktools/chapters.py --suites) || {
    echo "Could not find the chapters (booktools/booktools/chapters.py failed)"; exit 2; }

# Two lanes side by side (plain bash 3 on purpose: macOS has no newer one). Each lane takes the
# next suite of the queue when its last one ends, so the long suites start first and the short
# ones fill the gaps. A lock folder (mkdir is atomic) keeps the lanes from taking the same one.
echo 0 > "$logs/taken"
take_next() {  # prints the next suite of the queue, nothing when it is empty
    until mkdir "$logs/lock" 2>/dev/null; do sleep 1; done
    local n
    n=$(( $(cat "$logs/taken") + 1 ))
    echo "$n" > "$logs/taken"
    rmdir "$logs/lock"
    echo "$suites" | sed -n "${n}p"
}
run_lane() {
    local suite
    while suite=$(take_next) && [ -n "$suite" ]; do
        # --group dev: the test tools (pytest), which a reader's `uv run` does not install
        (cd "$suite" && uv run --group dev pytest -q) > "$logs/$suite.log" 2>&1
        echo $? > "$logs/$suite.status"
    done
}
echo "Running the test suites, two at a time, the longest first:" $suites
run_lane &
run_lane &
wait
while IFS= read -r suite; do
    echo "=== $suite ==="
    cat "$logs/$suite.log"
    count "$suite" "$(cat "$logs/$suite.status" 2>/dev/null || echo 1)" "$logs/$suite.log"
done <<SUITES
$suites
SUITES

echo "=== README commands and cp932 ==="
uv run --no-project --with "pytest>=8" --with "pytest-xdist>=3" \
    pytest -q -rs -n 2 --dist loadgroup readme_check 2>&1 | tee "$logs/readme.log"
count "README commands" "${PIPESTATUS[0]}" "$logs/readme.log"

echo "=== Other machines: versions per platform, torch 2.2.2, workflow ==="
uv run --no-project --with "pytest>=8" pytest -q platform_check 2>&1 | tee "$logs/platform.log"
count "platform check" "${PIPESTATUS[0]}" "$logs/platform.log"

echo
[ -n "$broken" ] && echo "Failed:$broken"
echo "$passed passed, $failed failed"
[ -z "$broken" ]
