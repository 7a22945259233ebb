#!/bin/sh
# Makes the figures of README.md again (the only command that writes into images/):
# README.md's train.py commands in its order, recorded from an empty runs folder, so
# the run numbers in the legends are the README's; --save / --gif write the figures
# the README shows into images/ (the README's own commands write only into outputs/).
#     sh images/make_images.sh        (from the chapter folder, or from anywhere)
set -eu
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
# These runs are recorded in a temporary folder, not in the reader's runs/.
runs_root=$(mktemp -d)
trap 'rm -rf "$runs_root"' EXIT
export RUNS_DIR="$runs_root/runs"
uv run ./src/dump_points.py --save images/dump_points.png
uv run ./src/train.py --save images/train.png                                              # run 1
uv run ./src/train.py --predict 1.5 -3.0 --predict -2.5 9.0 --save images/train_predict.png  # run 2
uv run ./src/train.py --hidden 16 --compare --save images/train_hidden16_compare.png      # run 3
uv run ./src/runs.py
uv run ./src/train.py --hidden 16 --neurons --save images/train_hidden16_neurons.png       # run 4
uv run ./src/train.py --gif images/train.gif                                              # run 5
# Exercises: the learning rate, the epochs.
uv run ./src/train.py --lr 0.1                                                             # run 6
uv run ./src/train.py --lr 0.001 --compare 2 --save images/train_learning_rates.png       # run 7
uv run ./src/train.py --epochs 100 --compare --save images/train_epochs100.png            # run 8
uv run ./src/train.py --epochs 5000 --predict 1.5 -3.0 --predict -2.5 9.0                 # run 9
# The number of classes, of features (the README's last figure).
uv run ./src/train.py --classes 4                                                          # run 10
uv run ./src/train.py --classes 4 --hidden 16 --compare                                    # run 11
uv run ./src/train.py --classes 5                                                          # run 12
uv run ./src/train.py --classes 5 --lr 0.1 --compare                                       # run 13
uv run ./src/train.py --features 3 --predict 1 2 3 --save images/train_features3.png      # run 14
