#!/usr/bin/env bash
# Makes the figures of README.md again, from the chapter folder, with the README's
# commands and --save / --gif into images/ (the README's own commands write only
# into outputs/). The numbers in the figures are this machine's; see README.md.
#   ./images/make_images.sh
set -eu
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
uv run ./src/dump_points.py ./data/linear.csv --save images/points_linear.png
uv run ./src/dump_points.py ./data/curve.csv --save images/points_curve.png
uv run ./src/train.py ./data/linear.csv simple --save images/train_linear_simple.png
uv run ./src/train.py ./data/curve.csv simple --save images/train_curve_simple.png
uv run ./src/train.py ./data/curve.csv complex --save images/train_curve_complex.png
uv run ./src/train.py ./data/random.csv complex --save images/train_random_complex.png
uv run ./src/train.py ./data/curve.csv complex --epochs 2001 \
    --gif images/train_curve_complex.gif --save outputs/train_curve_complex_2001.png
