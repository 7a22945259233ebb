#!/usr/bin/env bash
# Makes the figures of README.md again, from the chapter folder, with the README's
# commands and --save / --gif into images/ (the README's own commands write only
# into outputs/). The numbers in the figures are this machine's; see README.md.
#   ./images/make_images.sh
set -eu
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
# These runs are recorded in a temporary folder, not in the reader's runs/.
runs_root=$(mktemp -d)
trap 'rm -rf "$runs_root"' EXIT
export RUNS_DIR="$runs_root/all"
uv run ./src/dump_points.py ./data/linear.csv --save images/points_linear.png
uv run ./src/dump_points.py ./data/curve.csv --save images/points_curve.png
uv run ./src/train.py ./data/linear.csv simple --save images/train_linear_simple.png
uv run ./src/train.py ./data/curve.csv simple --save images/train_curve_simple.png
uv run ./src/train.py ./data/curve.csv complex --save images/train_curve_complex.png
uv run ./src/train.py ./data/random.csv complex --save images/train_random_complex.png
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 \
    --gif images/train_curve_complex.gif --save outputs/train_curve_complex_2001.png
# The learning-rate exercise: three runs recorded from an empty folder (runs 1, 2, 3),
# the last drawn with the two before it.
export RUNS_DIR="$runs_root/learning_rates"
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 --lr 0.0003 --save outputs/train_lr_0.0003.png
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 --lr 0.003 --save outputs/train_lr_0.003.png
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 --lr 0.1 --compare 2 \
    --save images/train_learning_rates.png
uv run ./src/runs.py
