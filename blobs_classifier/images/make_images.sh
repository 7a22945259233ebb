#!/bin/sh
# Makes the README's figures again (the only command that writes into images/).
#     sh images/make_images.sh        (from the chapter folder, or from anywhere)
set -e
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
# These runs are recorded in a temporary folder, not in the reader's runs/.
runs_root=$(mktemp -d)
trap 'rm -rf "$runs_root"' EXIT
export RUNS_DIR="$runs_root/all"
uv run ./src/dump_points.py --save images/dump_points.png
uv run ./src/train.py --save images/train.png
uv run ./src/train.py --predict 1.5 -3.0 --predict -2.5 9.0 --save images/train_predict.png
uv run ./src/train.py --hidden 16 --save images/train_hidden16.png
uv run ./src/train.py --epochs 100 --save images/train_epochs100.png
uv run ./src/train.py --features 3 --predict 1 2 3 --save images/train_features3.png
uv run ./src/train.py --gif images/train.gif
# Section 4's compared figure: the default run, then --hidden 16 drawn over it.
export RUNS_DIR="$runs_root/compare"
uv run ./src/train.py
uv run ./src/train.py --hidden 16 --compare --save images/train_hidden16_compare.png
uv run ./src/runs.py
