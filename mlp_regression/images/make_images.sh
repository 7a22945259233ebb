#!/bin/sh
# Makes the README's figures again (the only command that writes into images/).
#     sh images/make_images.sh        (from the chapter folder, or from anywhere)
set -e
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
uv run ./src/train.py --save images/mlp_regression.png
uv run ./src/train.py --hidden 2 --save images/mlp_regression_hidden2.png
