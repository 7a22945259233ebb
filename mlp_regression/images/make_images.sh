#!/bin/sh
# Makes the README's figures again (the only command that writes into images/).
#     sh images/make_images.sh        (from the chapter folder, or from anywhere)
set -e
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
# Recorded in an empty temporary folder (not the reader's runs/), so the second figure
# compares with the first (runs 1 and 2).
runs_root=$(mktemp -d)
trap 'rm -rf "$runs_root"' EXIT
export RUNS_DIR="$runs_root"
uv run ./src/train.py --save images/mlp_regression.png
uv run ./src/train.py --hidden 2 --compare --save images/mlp_regression_hidden2.png
uv run ./src/runs.py
