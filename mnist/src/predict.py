"""Use a model saved by train_mlp.py or train_cnn.py: a grid of test predictions, or your own digit image."""

import pickle
from pathlib import Path

import torch
import torch.nn.functional as F

from common import (Parser, add_common_flags, fail, first_line, pick_device, positive_int, seed_everything,
                    show_own_image, show_test_grid)
from mnist_data import load_mnist
from own_image import prepare_image
from train_cnn import CNNClassifier
from train_mlp import DEFAULT_MODEL, MNISTClassifier

MODELS = {"mlp": MNISTClassifier, "cnn": CNNClassifier}  # what a saved file says it holds -> its class


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)
    device = pick_device(args.device)
    model = load_model(args.model, device)
    if args.image is not None:
        predict_own_image(model, args, device)
    else:
        predict_test_images(model, args, device)


def parse_args(argv):
    parser = Parser(description="Predict digits with a model saved by train_mlp.py or train_cnn.py.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL,
                        help="model file written by train_mlp.py (default) or train_cnn.py")
    parser.add_argument("--image", default=None,
                        help="classify your own picture of one digit (PNG, JPEG, any size)")
    parser.add_argument("--count", type=positive_int, default=25,
                        help="how many random test images to show in the grid")
    add_common_flags(parser)
    return parser.parse_args(argv)


def load_model(path, device):
    kind, options, state_dict = read_model_file(path, device)  # 本との違い: the file says which model
    model = MODELS[kind](**options)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as exc:
        fail(f"model file {path} does not hold the {kind} of this chapter ({first_line(exc)})")
    model.eval()  # dropout off, BatchNorm uses its running averages
    return model.to(device)


def read_model_file(path, device):
    """(kind, options, weights) from a file of train_mlp.py or train_cnn.py; one error line otherwise."""
    if not path.is_file():
        fail(f"model file {path} not found; run `uv run ./src/train_mlp.py` first (or pass --model)")
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError:  # another kind of file, or a whole model object (torch's long note: no help here)
        fail(f"cannot load model {path}: it is not a weights file as train_mlp.py and train_cnn.py write them; "
             f"run `uv run ./src/train_mlp.py` again")
    except Exception as exc:
        fail(f"cannot load model {path}: not a model file of train_mlp.py or train_cnn.py "
             f"({type(exc).__name__}: {first_line(exc)}); run `uv run ./src/train_mlp.py` again")
    if not isinstance(saved, dict):
        fail(f"cannot load model {path} (it holds no weights); run `uv run ./src/train_mlp.py` again")
    if "state_dict" not in saved:  # a bare state_dict, as the slides save it: the MLP
        return "mlp", {"batchnorm": any(str(key).startswith("bn1.") for key in saved)}, saved
    kind = saved.get("model", "mlp")  # files from before train_cnn.py hold the MLP
    if kind not in MODELS:
        fail(f"model file {path} holds a model of kind {str(kind)[:40]!r}; predict.py reads "
             f"{' and '.join(MODELS)} models (train_mlp.py, train_cnn.py)")
    options = {"dropout": float(saved.get("dropout", 0.0)), "batchnorm": bool(saved.get("batchnorm", False))}
    return kind, options if kind == "mlp" else {}, saved["state_dict"]


def predict_test_images(model, args, device):
    images, labels = load_mnist(args.data_dir, train=False)
    count = min(args.count, len(images))
    pick = torch.randperm(len(images))[:count]
    images, labels = images[pick].to(device), labels[pick].to(device)
    with torch.no_grad():
        probs = F.softmax(model(images), dim=1)
    confidence, prediction = probs.max(dim=1)
    correct = (prediction == labels).sum().item()
    print(f"Accuracy on these {count} test images: {100.0 * correct / count:.2f}% ({correct}/{count})",
          flush=True)
    show_test_grid(images.cpu(), labels.cpu(), prediction.cpu(), confidence.cpu(), args)


def predict_own_image(model, args, device):
    original, image = prepare_image(args.image)
    prediction, confidence = predict_single_image(model, image.to(device))
    print(f"予測: {prediction}, 信頼度: {confidence:.2f}", flush=True)
    with torch.no_grad():  # every digit's probability, for the figure and the line below
        probabilities = F.softmax(model(image.unsqueeze(0).to(device)), dim=1)[0].cpu()
    print("確率: " + ", ".join(f"{digit}: {p:.2f}" for digit, p in enumerate(probabilities.tolist())), flush=True)
    show_own_image(original, image, probabilities, type(model).__name__, args)


def predict_single_image(model, image):
    model.eval()
    with torch.no_grad():
        image = image.unsqueeze(0)  # add the batch dimension: 1 x 28 x 28 -> 1 x 1 x 28 x 28
        output = model(image)
        prediction = output.argmax(dim=1)
        confidence = F.softmax(output, dim=1).max()
        return prediction.item(), confidence.item()


if __name__ == "__main__":
    main()
