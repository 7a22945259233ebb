"""Use a model saved by train_mlp.py or train_cnn.py: a grid of test predictions, or your own digit image."""

import pickle
from pathlib import Path

import torch
import torch.nn.functional as F

from booktools.cli import Parser, fail, first_line, positive_int
from booktools.hints import missing_file
from booktools.torch_setup import one_cpu_thread, pick_device, seed_everything
from digits.mnist_data import load_mnist
from digits.own_image import prepare_image
from figures.layers import show_image_layers
from figures.predictions import show_own_image, show_test_grid
from flags.chapter import add_common_flags, typed
from train_cnn import CNNClassifier
from train_cnn import DEFAULT_MODEL as DEFAULT_CNN_MODEL
from train_mlp import DEFAULT_MODEL, MNISTClassifier

MODELS = {"mlp": MNISTClassifier, "cnn": CNNClassifier}  # what a saved file says it holds -> its class
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)
    device = pick_device(args.device)
    one_cpu_thread(device)
    model = load_model(args.model, device)
    if args.layers and (args.image is None or not isinstance(model, CNNClassifier)):
        fail("--layers shows how train_cnn.py's model reads your image: "
             "use it with --image and --model mnist_model_cnn.pth")
    if args.image is not None:
        predict_own_image(model, args, device)
    else:
        predict_test_images(model, args, device)


def parse_args(argv):
    parser = Parser(__file__, description="Predict digits with a model saved by train_mlp.py or train_cnn.py.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL,
                        help="model file written by train_mlp.py or train_cnn.py")
    parser.add_argument("--image", default=None,
                        help="classify your own picture of one digit (PNG, JPEG, any size)")
    parser.add_argument("--count", type=positive_int, default=25,
                        help="how many random test images to show in the grid")
    parser.add_argument("--layers", action="store_true", help="with --image and a CNN model file: also show "
                        "every layer of the CNN (with --save: saved as <name>_layers.png)")
    add_common_flags(parser)
    args, extra = parser.parse_known_args(argv)
    if extra:  # e.g. `predict.py my_digit.png`: a path typed without its flag
        parser.unrecognized(extra, next((f"{meant_flag(x)} {typed(x)}" for x in extra if meant_flag(x)), None))
    return args


def meant_flag(text):
    """The flag a stray path on the command line was probably meant for, or None."""
    path = Path(text)
    if text.startswith("-"):
        return None
    if path.suffix.lower() in (".pth", ".pt"):
        return "--model"
    if path.suffix.lower() in IMAGE_SUFFIXES or path.is_file():
        return "--image"
    return None


def load_model(path, device):
    kind, options, state_dict = read_model_file(path, device)  # 本との違い: the file says which model
    model = MODELS[kind](**options)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as exc:
        # (also a CNN file with BatchNorm layers: this chapter's CNN has none)
        fail(f"model file {path} does not hold the {kind} of this chapter ({first_line(exc)}); "
             f"{how_to_train(path)} again")
    model.eval()  # dropout off, BatchNorm uses its running averages
    return model.to(device)


def read_model_file(path, device):
    """(kind, options, weights) from a file of train_mlp.py or train_cnn.py; one error line otherwise.
    Prints which file it is, what it holds and its test accuracy when it was saved."""
    if not path.is_file():  # where it looked, and the model files there and in the chapter's folder
        fail(missing_file(path, also=[DEFAULT_MODEL.parent], what="model file", suffixes=(".pth", ".pt"),
                          kind="model files", or_else=f"{how_to_train(path)} first (or pass --model)"))
    try:
        with open(path, "rb") as f:  # (a file object: torch.load from a path fails on some Windows paths)
            saved = torch.load(f, map_location=device, weights_only=True)
    except pickle.UnpicklingError:  # another kind of file, or a whole model object (torch's long note: no help here)
        fail(f"cannot load model {path}: it is not a weights file as train_mlp.py and train_cnn.py write them; "
             f"{how_to_train(path)} again")
    except Exception as exc:
        fail(f"cannot load model {path}: not a model file of train_mlp.py or train_cnn.py "
             f"({type(exc).__name__}: {first_line(exc)}); {how_to_train(path)} again")
    if not isinstance(saved, dict):
        fail(f"cannot load model {path} (it holds no weights); {how_to_train(path)} again")
    if "state_dict" not in saved:  # a bare state_dict, as the slides save it: the MLP
        saved = {"state_dict": saved, "batchnorm": any(str(key).startswith("bn1.") for key in saved)}
    kind = saved.get("model", "mlp")  # a file that does not say holds the MLP
    if kind not in MODELS:
        fail(f"model file {path} holds a model of kind {str(kind)[:40]!r}; predict.py reads "
             f"{' and '.join(MODELS)} models (train_mlp.py, train_cnn.py)")
    options = {"dropout": float(saved.get("dropout", 0.0)), "batchnorm": bool(saved.get("batchnorm", False))}
    print_model_file(path, kind, saved)
    return kind, options if kind == "mlp" else {}, saved["state_dict"]


def print_model_file(path, kind, saved):
    """One line: the file, MLP or CNN, its test accuracy when saved and its flags (or: unknown)."""
    accuracy = saved.get("test_accuracy")
    accuracy = f"{accuracy:.2f}%" if isinstance(accuracy, (int, float)) else "unknown"
    flags = saved.get("flags")
    trained = "unknown" if flags is None else " ".join(map(str, flags)) or "default flags"
    print(f"Model: {path} ({kind.upper()}, test accuracy when saved: {accuracy}, trained with: {trained})",
          flush=True)


def how_to_train(path):
    """The command that writes this model file: train_cnn.py for a CNN file, else train_mlp.py."""
    cnn = "cnn" in path.name.lower()
    script, default = ("train_cnn.py", DEFAULT_CNN_MODEL) if cnn else ("train_mlp.py", DEFAULT_MODEL)
    save = "" if path.resolve() == default else f" --save-model {typed(path, default.parent)}"
    return f"run `uv run ./src/{script}{save}`"


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
    if args.layers:
        show_image_layers(model, image.to(device), args)


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
