#!/usr/bin/env bash
# Makes the figures of README.md again, from the chapter folder: the README's commands in
# the README's order, after the top README's training run in this folder, which a reader has
# made first (so the run numbers in the legends are the README's), with --save /
# --gif into images/ (the README's own commands write only into outputs/). The numbers in
# the figures are this machine's: see NOTES.md for how they move from CPU to CPU.
#   ./images/make_images.sh
set -eu
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
# The runs are recorded in a temporary folder, not in the reader's runs/.
RUNS_DIR=$(mktemp -d)
export RUNS_DIR
trap 'rm -rf "$RUNS_DIR"' EXIT
# The top README's first command: run 1 (its figure is the same as run 2's).
uv run ./src/train.py ./data/linear.csv simple --save outputs/top_readme_linear_simple.png      # run 1
uv run ./src/dump_points.py ./data/linear.csv --save images/points_linear.png
uv run ./src/dump_points.py ./data/curve.csv --save images/points_curve.png
uv run ./src/train.py ./data/linear.csv simple --save images/train_linear_simple.png            # run 2
uv run ./src/train.py ./data/curve.csv simple --save images/train_curve_simple.png              # run 3
uv run ./src/train.py ./data/curve.csv complex --save images/train_curve_complex.png            # run 4
uv run ./src/train.py ./data/curve.csv complex --neurons \
    --save images/train_curve_complex_neurons.png                                               # run 5
uv run ./src/train.py ./data/random.csv complex --save images/train_random_complex.png          # run 6
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 \
    --gif images/train_curve_complex.gif --save outputs/train_curve_complex_2001.png           # run 7
# The learning-rate exercise: runs 8, 9, 10, the last drawn with the two before it.
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 --lr 0.0003 --save outputs/train_lr_0.0003.png
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 --lr 0.003 --save outputs/train_lr_0.003.png
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 --lr 0.1 --compare 2 \
    --save images/train_learning_rates.png
uv run ./src/runs.py
