#!/usr/bin/env bash
# Makes the figures of README.md (and NOTES.md) again, from the chapter folder: the README's commands
# in the README's order (so the run numbers in the legends are the README's), with --save / --gif
# into images/ (the README's own commands write only into outputs/). The numbers in the figures are
# this machine's: NOTES.md says how they move from CPU to CPU. About 8 minutes on a 2-core CPU.
#   ./images/make_images.sh
# With MNIST_DATA_DIR set (a folder holding MNIST/raw/), the scripts read MNIST from there. It also
# writes the model files mnist_model*.pth (as the README's commands do) and outputs/handwriting/.
set -eu
cd "$(dirname "$0")/.."
DATA=()
if [ -n "${MNIST_DATA_DIR:-}" ]; then DATA=(--data-dir "$MNIST_DATA_DIR"); fi
export MPLBACKEND=Agg
# The runs are recorded in a temporary folder, not in the reader's runs/.
RUNS_DIR=$(mktemp -d)
export RUNS_DIR
trap 'rm -rf "$RUNS_DIR"' EXIT

uv run ./src/show_mnist.py "${DATA[@]}" --save images/show_mnist.png
uv run ./src/show_mnist.py "${DATA[@]}" --digits 4 9 --save images/show_mnist_4_9.png
uv run ./src/train.py "${DATA[@]}" --save images/train.png --gif images/train.gif                    # run 1
# run 2: the same training again; --save X.png writes X_mistakes.png and X_layers.png beside it
uv run ./src/train.py "${DATA[@]}" --mistakes 16 --layers --save images/train.png                     # run 2
uv run ./src/train_with_linear.py "${DATA[@]}" --save images/train_with_linear.png                    # run 3
uv run ./src/train.py "${DATA[@]}" --compare --save images/train_compare_linear.png                   # run 4
uv run ./src/runs.py
uv run ./src/train_mlp.py "${DATA[@]}" --save images/train_mlp.png                                    # run 5
uv run ./src/predict.py "${DATA[@]}" --count 100 --save images/predict_100.png
uv run ./src/predict.py --image ./samples/my_digit.png --save images/predict_image.png
uv run ./src/train_cnn.py "${DATA[@]}" --save images/train_cnn.png                                    # run 6
uv run ./src/predict.py "${DATA[@]}" --model mnist_model_cnn.pth --count 100 --save outputs/predict_cnn_100.png

# draw.py's window, driven by synthetic mouse events (it needs no display): a 4 drawn in two strokes
uv run python tests/draw_demo.py images/draw.gif images/draw.png
# ... and in a real window: tests/test_draw.py draws a 1, a 7 and a 0 with the real mouse (Xvfb, xdotool) and,
# with DRAW_WINDOW_PNG set, captures the window after the 7 with ImageMagick's import (needs MNIST_DATA_DIR)
if command -v Xvfb >/dev/null && command -v xdotool >/dev/null && command -v import >/dev/null; then
    DRAW_WINDOW_PNG="$PWD/images/draw_window.png" uv run --group dev pytest -q tests/test_draw.py -k real_mouse
fi

# 試してみよう: over-fitting (runs 7 and 8, each drawn with the run before)
uv run ./src/train.py "${DATA[@]}" --epochs 100 --compare --save outputs/train_epochs_100.png         # run 7
uv run ./src/train.py "${DATA[@]}" --train-size all --compare --save images/train_compare_train_size.png  # run 8
# (the README's next run, train.py --epochs 1 with print(data.shape) in forward, draws nothing shown)
uv run ./src/show_mnist.py "${DATA[@]}" --augment --save images/show_mnist_augment.png
uv run ./src/train_mlp.py "${DATA[@]}" --augment --save-model mnist_model_augment.pth --save images/train_mlp_augment.png
# handwriting.py writes outputs/handwriting/handwriting.png and mistakes.png
uv run python tests/handwriting.py outputs/handwriting mnist_model.pth mnist_model_augment.pth mnist_model_cnn.pth
cp outputs/handwriting/handwriting.png images/handwriting.png
cp outputs/handwriting/mistakes.png images/handwriting_mistakes.png
DIGIT2=outputs/handwriting/digits/digits082_digit2.png
uv run ./src/predict.py --image "$DIGIT2" --save images/predict_mlp.png
uv run ./src/predict.py --model mnist_model_cnn.pth --image "$DIGIT2" --save images/predict_cnn.png
# (the README's last runs, train_mlp.py --optimizer sgd / --dropout 0.2 / --subset 100, show no figure)
