"""Draw a digit with the mouse and watch the models read it: after every stroke, the 28x28
image predict.py would give them and each digit's probability, MLP and CNN side by side.
The window itself (mouse, buttons, bars) is figures/drawing_pad.py."""

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from booktools.cli import Parser, fail, png_type, positive_int
from booktools.figures import can_show
from digits.own_image import prepare_grey
from figures.drawing_pad import CANVAS, DrawingPad, ink
from predict import DEFAULT_CNN_MODEL, DEFAULT_MODEL, load_model, predict_single_image

# Measured (tests/test_draw.py, 200 drawings 35-90% of the area high): a 20-pixel pen gives strokes
# 1.92 pixels wide after predict.py's preparation, as MNIST's test digits (1.92); 15: 1.49, 25: 2.30.
PEN_WIDTH = 20


def main(argv=None):
    args = parse_args(argv)
    models = load_models(args.model)
    if args.layers and not any(kind == "CNN" for kind, _ in models):
        fail("--layers shows the layers of train_cnn.py's model: no CNN loaded "
             "(run `uv run ./src/train_cnn.py` first, or pass --model with its file)")
    if not can_show():
        fail("draw.py needs a window, and matplotlib cannot open one here (no display); "
             "draw your digit in a paint program and run `uv run ./src/predict.py --image YOUR.png`")
    import matplotlib.pyplot as plt
    pad = DrawingPad(models, args, read_drawing)  # noqa: F841 (the window's callbacks keep it alive while shown)
    plt.show()


def parse_args(argv):
    parser = Parser(__file__, description="Draw a digit with the mouse; the MLP and the CNN read it "
                                          "after every stroke. Keys: c clear, s save PNG, q quit.")
    parser.add_argument("--model", type=Path, action="append", default=None,
                        help="model file of train_mlp.py or train_cnn.py (twice for two); "
                             f"default: {DEFAULT_MODEL.name} and {DEFAULT_CNN_MODEL.name}, those that exist")
    parser.add_argument("--layers", action="store_true",
                        help="also show every layer of the CNN for your drawing (a second window)")
    parser.add_argument("--pen-width", type=positive_int, default=PEN_WIDTH,
                        help="pen width in pixels of the 280x280 area")
    parser.add_argument("--save", type=png_type(parser.chapter_dir / "outputs"), default=None,
                        help="also write the window to this PNG after every answer (with --layers: also X_layers.png)")
    return parser.parse_args(argv)


def load_models(paths):
    """[(kind, model)]: the files given, or the default MLP and CNN files that exist (the MLP's
    error with its training command when neither does)."""
    if paths is None:
        paths = [path for path in (DEFAULT_MODEL, DEFAULT_CNN_MODEL) if path.is_file()] or [DEFAULT_MODEL]
    models = []
    for path in paths:
        model = load_model(path, torch.device("cpu"))  # one image at a time: the CPU is quickest
        models.append(("CNN" if type(model).__name__.startswith("CNN") else "MLP", model))
    return models


def render_strokes(strokes, pen_width=PEN_WIDTH, size=CANVAS):
    """The strokes (lists of (x, y) points) in black ink on white paper, as a greyscale array (0-255),
    the picture a reader would have drawn in a paint program."""
    img = Image.new("L", (size, size), 255)
    for stroke in strokes:
        ink(ImageDraw.Draw(img), stroke, pen_width)
    return np.asarray(img, dtype=np.float32)


def read_drawing(models, pixels):
    """The 28x28 image predict.py makes of the drawing, and each model's probabilities."""
    image = prepare_grey(pixels, "your drawing")
    answers = []
    for kind, model in models:
        prediction, confidence = predict_single_image(model, image)
        with torch.no_grad():
            probabilities = F.softmax(model(image.unsqueeze(0)), dim=1)[0]
        print(f"予測: {prediction}, 信頼度: {confidence:.2f} ({kind})", flush=True)  # predict.py's line
        answers.append((prediction, probabilities))
    return image, answers


if __name__ == "__main__":
    main()
