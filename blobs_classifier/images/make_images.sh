#!/bin/sh
# Makes the README's figures again (the only command that writes into images/).
#     sh images/make_images.sh        (from the chapter folder, or from anywhere)
set -e
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
uv run ./src/dump_points.py --save images/dump_points.png
uv run ./src/train.py --save images/train.png
uv run ./src/train.py --predict 1.5 -3.0 --predict -2.5 9.0 --save images/train_predict.png
uv run ./src/train.py --hidden 16 --save images/train_hidden16.png
uv run ./src/train.py --epochs 100 --save images/train_epochs100.png
uv run ./src/train.py --features 3 --predict 1 2 3 --save images/train_features3.png
uv run ./src/train.py --gif images/train.gif
