"""train_mlp.py and predict.py: training lines, the saved model round trip, own images, errors."""

import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

import predict
import train_mlp
from conftest import CHAPTER_DIR, assert_one_line_error, assert_png, numbers
from handwriting import count_correct, write_set

EPOCH_LINE = r"Epoch (\d+): Train Loss: ([\d.]+), Val Loss: ([\d.]+), Val Accuracy: ([\d.]+)%"
TEST_LINE = r"Test Loss: ([\d.]+), Test Accuracy: ([\d.]+)%"
PREDICTION = r"予測: (\d), 信頼度: ([\d.]+)"


def train_small(mnist_dir, tmp_path, capsys, *extra):
    model = tmp_path / "model.pth"
    train_mlp.main(["--data-dir", str(mnist_dir), "--epochs", "6", "--save-model", str(model),
                    "--save", str(tmp_path / "mlp.png"), "--no-show", *extra])
    return model, capsys.readouterr().out


def test_train_then_predict_round_trip(mnist_dir, tmp_path, capsys):
    model_file, text = train_small(mnist_dir, tmp_path, capsys)
    assert "Parameters: 109,386" in text
    assert "Train: 330, Val: 30, Test: 120" in text  # the 1/12 validation split
    rows = numbers(EPOCH_LINE, text)
    assert [int(r[0]) for r in rows] == list(range(1, 7))
    assert all(math.isfinite(v) for row in rows for v in row)
    assert rows[-1][1] < rows[0][1]
    (test_loss, test_acc), = numbers(TEST_LINE, text)
    assert math.isfinite(test_loss) and test_acc > 50  # the easy synthetic digits are learnable
    assert_png(tmp_path / "mlp.png")

    saved = torch.load(model_file, weights_only=True)
    assert saved["batchnorm"] is False and saved["dropout"] == 0.0
    grid = tmp_path / "grid.png"
    predict.main(["--model", str(model_file), "--data-dir", str(mnist_dir), "--count", "16",
                  "--save", str(grid), "--no-show"])
    out = capsys.readouterr().out
    (acc, correct, count), = numbers(r"Accuracy on these 16 test images: ([\d.]+)% \((\d+)/(\d+)\)", out)
    assert count == 16 and acc == pytest.approx(100 * correct / 16)
    assert_png(grid)

    # The reloaded model gives exactly the trained model's outputs.
    model = predict.load_model(model_file, torch.device("cpu"))
    fresh = train_mlp.MNISTClassifier()
    fresh.load_state_dict(saved["state_dict"])
    x = torch.rand(3, 1, 28, 28)
    assert torch.equal(model(x), fresh.eval()(x))


def test_dropout_and_batchnorm_survive_the_round_trip(mnist_dir, tmp_path, capsys):
    model_file, text = train_small(mnist_dir, tmp_path, capsys, "--dropout", "0.2", "--batchnorm",
                                   "--optimizer", "sgd", "--lr", "0.05", "--subset", "100", "--no-schedule")
    assert "Train: 100," in text
    assert all(math.isfinite(v) for v in numbers(TEST_LINE, text)[0])
    model = predict.load_model(model_file, torch.device("cpu"))
    assert isinstance(model.bn1, torch.nn.BatchNorm1d) and not model.training
    predict.main(["--model", str(model_file), "--image", str(CHAPTER_DIR / "samples" / "my_digit.png"),
                  "--save", str(tmp_path / "own.png"), "--no-show"])
    (digit, confidence), = numbers(PREDICTION, capsys.readouterr().out)
    assert 0 <= digit <= 9 and 0.1 <= confidence <= 1.0
    assert_png(tmp_path / "own.png")


def digit_picture(size, ink, paper, mode="L"):
    """A thick 7, drawn at any size and colour."""
    img = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.line([(0.25 * w, 0.2 * h), (0.75 * w, 0.2 * h), (0.45 * w, 0.85 * h)], fill=ink, width=max(3, w // 12))
    return img


def test_own_image_becomes_mnist_format(tmp_path):
    versions = {
        "dark_on_light.png": digit_picture((300, 200), 20, 240),
        "light_on_dark.png": digit_picture((300, 200), 240, 20),
        "colour.jpg": digit_picture((120, 160), (0, 0, 150), (250, 250, 200), "RGB"),
        "transparent.png": digit_picture((100, 100), (0, 0, 0, 255), (0, 0, 0, 0), "RGBA"),
    }
    digits = {}
    for name, img in versions.items():
        img.save(tmp_path / name)
        _, digits[name] = predict.prepare_image(tmp_path / name)
    for name, digit in digits.items():
        pixels = digit[0].numpy()
        assert digit.shape == (1, 28, 28) and pixels.min() >= 0 and pixels.max() == pytest.approx(1, abs=0.02)
        assert pixels[[0, -1]].max() < 0.05 and pixels[:, [0, -1]].max() < 0.05  # dark border, like MNIST
        rows, cols = np.nonzero(pixels > 0.05)
        assert rows.max() - rows.min() < 22 and cols.max() - cols.min() < 22  # fits the 20x20 box
        ys, xs = np.mgrid[0:28, 0:28]
        assert abs((pixels * ys).sum() / pixels.sum() - 13.5) < 2.5  # centred by mass
        assert abs((pixels * xs).sum() / pixels.sum() - 13.5) < 2.5
    same = digits["dark_on_light.png"][0] - digits["light_on_dark.png"][0]
    assert same.abs().max() < 0.05  # inverted input, same result


def test_missing_model_says_run_train_mlp(tmp_path, capsys):
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", str(tmp_path / "none.pth"), "--no-show"])
    assert_one_line_error(excinfo, capsys, "not found", "train_mlp.py")


def test_broken_model_file(tmp_path, capsys):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a model")
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", str(bad), "--no-show"])
    assert_one_line_error(excinfo, capsys, "cannot load model")


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "m.pth"
    torch.save({"state_dict": train_mlp.MNISTClassifier().state_dict(), "dropout": 0.0, "batchnorm": False}, path)
    return path


def test_unreadable_and_empty_images(small_model, tmp_path, capsys):
    not_image = tmp_path / "notes.png"
    not_image.write_text("hello", encoding="utf-8")
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    for path, fragment in [(not_image, "cannot read image"), (tmp_path / "missing.png", "cannot read image"),
                           (blank, "no digit found")]:
        with pytest.raises(SystemExit) as excinfo:
            predict.main(["--model", str(small_model), "--image", str(path), "--no-show"])
        assert_one_line_error(excinfo, capsys, fragment)


@pytest.mark.parametrize("script, args, fragment", [
    ("train_mlp", ["--epochs", "0"], "--epochs"),
    ("train_mlp", ["--batch-size", "0"], "--batch-size"),
    ("train_mlp", ["--subset", "-3"], "--subset"),
    ("train_mlp", ["--subset", "100000"], "--subset 100000"),
    ("train_mlp", ["--dropout", "1.0"], "--dropout"),
    ("train_mlp", ["--optimizer", "rmsprop"], "--optimizer"),
    ("train_mlp", ["--save-model", "model.csv"], ".pth"),
    # a folder that does not exist: an error before training, as for --save and --gif
    ("train_mlp", ["--save-model", "no_such_folder/m.pth"], "--save-model: folder 'no_such_folder' does not exist"),
    ("train_mlp", ["--gif", "no_such_folder/m.gif", "--save-model", "m.pth"],
     "--gif: folder 'no_such_folder' does not exist"),
    ("predict", ["--save", "no_such_folder/grid.png"], "--save: folder 'no_such_folder' does not exist"),
    ("predict", ["--count", "0"], "--count"),
])
def test_bad_flags(mnist_dir, tmp_path, capsys, monkeypatch, script, args, fragment):
    monkeypatch.chdir(tmp_path)  # (relative paths in args: never into the chapter's folder)
    module = {"train_mlp": train_mlp, "predict": predict}[script]
    with pytest.raises(SystemExit) as excinfo:
        module.main(["--data-dir", str(mnist_dir), "--no-show", "--save", str(tmp_path / "x.png")] + args)
    assert_one_line_error(excinfo, capsys, fragment)


def test_real_data_defaults_reach_975_and_read_the_sample_seven(real_mnist_dir, tmp_path, capsys):
    model_file = tmp_path / "real.pth"
    train_mlp.main(["--data-dir", str(real_mnist_dir), "--save-model", str(model_file),
                    "--save", str(tmp_path / "mlp.png"), "--no-show"])
    text = capsys.readouterr().out
    assert len(numbers(EPOCH_LINE, text)) == 10
    (_, test_acc), = numbers(TEST_LINE, text)
    assert test_acc >= 97.5
    predict.main(["--model", str(model_file), "--image", str(CHAPTER_DIR / "samples" / "my_digit.png"),
                  "--save", str(tmp_path / "own.png"), "--no-show"])
    (digit, confidence), = numbers(PREDICTION, capsys.readouterr().out)
    assert digit == 7
    # Handwriting that is not MNIST, on messy pages (handwriting.py): 25 of 30 measured.
    assert count_correct(model_file, write_set(tmp_path / "handwriting", count=30, seed=0)) >= 22
