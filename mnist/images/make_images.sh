#!/bin/sh
# Regenerates every figure that README.md shows (the only commands that write into images/).
# Run from anywhere: sh images/make_images.sh   (about 8 minutes on a 2-core CPU)
# With MNIST_DATA_DIR set (a folder holding MNIST/raw/), the scripts read MNIST from there.
# It also writes the model files mnist_model*.pth (as the README's commands do) and outputs/handwriting/.
set -e
cd "$(dirname "$0")/.."
DATA=${MNIST_DATA_DIR:+--data-dir $MNIST_DATA_DIR}
export MPLBACKEND=Agg
# The runs are recorded in a temporary folder, not in the reader's runs/.
RUNS_DIR=$(mktemp -d)
export RUNS_DIR
trap 'rm -rf "$RUNS_DIR"' EXIT

uv run ./src/show_mnist.py $DATA --save images/show_mnist.png
uv run ./src/show_mnist.py $DATA --digits 4 9 --save images/show_mnist_4_9.png
uv run ./src/show_mnist.py $DATA --augment --save images/show_mnist_augment.png

# writes images/train.png, images/train_mistakes.png, images/train_layers.png and images/train.gif
uv run ./src/train.py $DATA --mistakes 16 --layers --gif images/train.gif --save images/train.png
uv run ./src/train_with_linear.py $DATA --save images/train_with_linear.png
# Sections 2-2 and 試してみよう: runs 3, 4 and 5 compared with the run before each
uv run ./src/train.py $DATA --compare --save images/train_compare_linear.png
uv run ./src/train.py $DATA --epochs 100 --compare --save outputs/train_epochs_100.png
uv run ./src/train.py $DATA --train-size all --compare --save images/train_compare_train_size.png
uv run ./src/runs.py

uv run ./src/train_mlp.py $DATA --save images/train_mlp.png
uv run ./src/train_mlp.py $DATA --augment --save-model mnist_model_augment.pth --save images/train_mlp_augment.png
uv run ./src/train_cnn.py $DATA --save images/train_cnn.png
uv run ./src/train_cnn.py $DATA --augment --save-model mnist_model_cnn_augment.pth --save outputs/train_cnn_augment.png

uv run ./src/predict.py $DATA --count 100 --save images/predict_100.png
uv run ./src/predict.py --image ./samples/my_digit.png --save images/predict_image.png

# handwriting.py writes outputs/handwriting/handwriting.png and mistakes.png
uv run python tests/handwriting.py outputs/handwriting \
    mnist_model.pth mnist_model_augment.pth mnist_model_cnn.pth mnist_model_cnn_augment.pth
cp outputs/handwriting/handwriting.png images/handwriting.png
cp outputs/handwriting/mistakes.png images/handwriting_mistakes.png
DIGIT2=outputs/handwriting/digits/digits082_digit2.png
uv run ./src/predict.py --image $DIGIT2 --save images/predict_mlp.png
uv run ./src/predict.py --model mnist_model_cnn.pth --image $DIGIT2 --save images/predict_cnn.png

# draw.py's window, driven by synthetic mouse events (it needs no display): a 4 drawn in two strokes
uv run python tests/draw_demo.py images/draw.gif images/draw.png
# ... and in a real window: tests/test_draw.py draws a 1, a 7 and a 0 with the real mouse (Xvfb, xdotool) and,
# with DRAW_WINDOW_PNG set, captures the window after the 7 with ImageMagick's import (needs MNIST_DATA_DIR)
if command -v Xvfb >/dev/null && command -v xdotool >/dev/null && command -v import >/dev/null; then
    DRAW_WINDOW_PNG="$PWD/images/draw_window.png" uv run pytest -q tests/test_draw.py -k real_mouse
fi
