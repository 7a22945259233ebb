"""predict.py --image on pictures a reader might make: real handwriting that is not MNIST
(scikit-learn's digits, see handwriting.py) on messy pages, and bad files."""

import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

import predict
import train_mlp
from conftest import assert_one_line_error, numbers
from handwriting import PLAIN, STYLES, count_correct, make_photo, write_set
from test_train_mlp_predict import PREDICTION, TEST_LINE


@pytest.fixture
def handwriting(tmp_path_factory):
    """The 30 pictures (3 of each digit, six kinds of page), written as files (only when used)."""
    return write_set(tmp_path_factory.mktemp("handwriting"), count=30, seed=0)


def test_messy_page_looks_like_the_plain_page(tmp_path):
    """Shadow, colour, JPEG, chalk on a board, transparency, any size, wide margins: the model
    should see (almost) the same 28x28 image as for the same handwriting black on white."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(1)
    ys, xs = np.mgrid[0:28, 0:28]
    similarities = []
    for index in (0, 13, 26, 39):  # four different digits, each on all six kinds of page
        for number, style in enumerate(STYLES):
            seen = []
            for name, page in [("plain.png", dict(PLAIN, thickness=style["thickness"])), ("messy.png", style)]:
                make_photo(digits.images[index], rng, page).save(tmp_path / name)
                seen.append(predict.prepare_image(tmp_path / name)[1][0].numpy())
            plain, messy = seen
            assert messy.max() == pytest.approx(1, abs=0.02)
            assert messy[[0, 1, -2, -1]].max() < 0.05 and messy[:, [0, 1, -2, -1]].max() < 0.05
            assert abs((messy * ys).sum() / messy.sum() - 13.5) < 2  # centred by mass
            assert abs((messy * xs).sum() / messy.sum() - 13.5) < 2
            similarities.append(np.corrcoef(plain.ravel(), messy.ravel())[0, 1])
            assert similarities[-1] > 0.75, (index, number)  # small JPEGs of thin strokes: about 0.8
    assert np.mean(similarities) > 0.95  # most are above 0.98


def test_blank_pages_have_no_digit(tmp_path, capsys):
    """A photo of empty paper (shadow, noise, JPEG) is not read as a digit."""
    rng = np.random.default_rng(2)
    for number, style in enumerate(STYLES):
        path = tmp_path / f"blank{number}.png"
        make_photo(np.zeros((8, 8)), rng, style).save(path)
        with pytest.raises(SystemExit) as excinfo:
            predict.prepare_image(path)
        assert_one_line_error(excinfo, capsys, "no digit found")


def png_header(path, width, height):
    """A PNG that says it is width x height pixels but holds only a few rows: cheap to make,
    and a reader's program must refuse it before trying to decode it."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress((b"\x00" + b"\xff" * width) * 4)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def untrained_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "m.pth"
    torch.save({"state_dict": train_mlp.MNISTClassifier().state_dict(), "dropout": 0.0, "batchnorm": False}, path)
    return path


@pytest.mark.parametrize("kind, fragment", [
    ("not_an_image", "cannot read image"),
    ("empty_file", "cannot read image"),
    ("all_white", "no digit found"),
    ("all_black", "no digit found"),
    ("folder", "it is a folder"),
    ("too_large", "too large (9000x9000 pixels)"),
    ("bomb", "too large (a decompression bomb?)"),
    ("huge_bomb", "too large (a decompression bomb?)"),
    ("truncated", "cannot read image"),
])
def test_bad_images_are_one_line(untrained_model, tmp_path, capsys, kind, fragment):
    path = tmp_path / "picture.png"
    if kind == "not_an_image":
        path.write_text("my shopping list", encoding="utf-8")
    elif kind == "empty_file":
        path.write_bytes(b"")
    elif kind in ("all_white", "all_black"):
        Image.new("RGB", (400, 300), "white" if kind == "all_white" else "black").save(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "too_large":
        png_header(path, 9000, 9000)  # 81 million pixels: above our limit, below Pillow's
    elif kind == "bomb":
        png_header(path, 12000, 10000)  # Pillow warns
    elif kind == "huge_bomb":
        png_header(path, 30000, 30000)  # Pillow refuses
    elif kind == "truncated":
        Image.new("L", (300, 300), 128).save(path)
        path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", str(untrained_model), "--image", str(path), "--no-show"])
    assert_one_line_error(excinfo, capsys, fragment)
    assert path.exists()  # the reader's file is left alone


def test_real_data_augment_reads_handwriting(real_mnist_dir, handwriting, tmp_path, capsys):
    """--augment keeps MNIST's 97.5% and reads at least 26 of the 30 pictures of other people's handwriting."""
    accuracies = []
    for seed in [0, 1, 2]:
        model_file = tmp_path / f"augment{seed}.pth"
        train_mlp.main(["--data-dir", str(real_mnist_dir), "--augment", "--seed", str(seed), "--save-model",
                        str(model_file), "--save", str(tmp_path / "mlp.png"), "--no-show"])
        (_, test_acc), = numbers(TEST_LINE, capsys.readouterr().out)
        accuracies.append(test_acc)
    # Measured 97.49, 97.94, 97.91 (seed 0 sits at the bottom of the spread): the median holds
    # 97.5 with margin; no seed may fall far below it.
    assert sorted(accuracies)[1] >= 97.5 and min(accuracies) >= 97.2, accuracies
    model_file = tmp_path / "augment0.pth"
    assert count_correct(model_file, handwriting) >= 26  # measured 27 (plain model: 25)
    predict.main(["--model", str(model_file), "--image", str(handwriting[3][0]),
                  "--save", str(tmp_path / "own.png"), "--no-show"])
    (digit, _), = numbers(PREDICTION, capsys.readouterr().out)
    assert digit == handwriting[3][1]  # the transparent 3, through the command line


def test_phone_photo_turned_by_its_exif_tag(tmp_path):
    """Phones often save the pixels sideways plus a tag saying how to turn them upright."""
    from sklearn.datasets import load_digits

    upright = make_photo(load_digits().images[7], np.random.default_rng(3), STYLES[0])
    upright.save(tmp_path / "upright.jpg", quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to show
    upright.rotate(90, expand=True).save(tmp_path / "sideways.jpg", quality=95, exif=exif)
    seen = [predict.prepare_image(tmp_path / name)[1][0].numpy() for name in ("upright.jpg", "sideways.jpg")]
    assert np.corrcoef(seen[0].ravel(), seen[1].ravel())[0, 1] > 0.95


@pytest.mark.parametrize("size", [(1, 1), (3, 40), (40, 3)])
def test_tiny_pictures_do_not_crash(tmp_path, size):
    img = Image.new("L", size, 255)
    img.putpixel((0, 0), 0)  # one dark dot
    img.save(tmp_path / "tiny.png")
    try:
        digit = predict.prepare_image(tmp_path / "tiny.png")[1]
    except SystemExit as exc:  # "no digit found" is a fine answer too
        assert exc.code == 2
    else:
        assert digit.shape == (1, 28, 28) and torch.isfinite(digit).all()
