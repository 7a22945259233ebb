#!/bin/sh
# Makes the README's figures again (the only command that writes into images/):
#     sh images/make_images.sh        (from the chapter folder, or from anywhere)
# It follows README.md from the top, with the README's own commands and --save into
# images/, up to the last figure the README shows. The numbers in the figures are this
# machine's; NOTES.md says which ones move on another CPU.
set -e
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
# One empty temporary runs/ for the whole sequence (not the reader's runs/), so the run
# numbers in the legends are the README's: run 1 is the first training, run 2 draws it behind.
runs_root=$(mktemp -d)
trap 'rm -rf "$runs_root"' EXIT
export RUNS_DIR="$runs_root"
uv run ./src/train.py --save images/mlp_regression.png
uv run ./src/train.py --hidden 2 --compare --save images/mlp_regression_hidden2.png
uv run ./src/runs.py
