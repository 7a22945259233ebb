"""--layers (figures/layers.py): every layer of the book's CNN for a test 4 and a test 9 (train.py),
and of train_cnn.py's CNN for your own image (predict.py), with the shapes the book names."""

import pytest
import torch
import torch.nn.functional as F

import figures.layers as layers_view
import predict
import train
from conftest import CHAPTER_DIR, assert_one_line_error, assert_png
from train_cnn import CNNClassifier

# The book's forward, step by step, and the shape after each step (its comments: 28x28 -> 26x26 -> 13x13 ...).
BOOK_STEPS = ["input\n1 x 28x28", "conv1\n4 x 26x26", "ReLU\n4 x 26x26", "max-pool\n4 x 13x13",
              "conv2\n8 x 11x11", "ReLU\n8 x 11x11", "max-pool\n8 x 5x5",
              "conv3\n16 x 3x3", "ReLU\n16 x 3x3", "max-pool\n16 x 1x1", "view\n16", "fc\n1", "sigmoid\n1"]


def figure_titles(monkeypatch):
    """Collects the step titles of every layers figure as it is saved."""
    shown = []
    save = layers_view.show_or_save

    def remember(fig, *args):
        shown.append([ax.get_title() for ax in fig.axes])
        save(fig, *args)

    monkeypatch.setattr(layers_view, "show_or_save", remember)
    return shown


@pytest.mark.parametrize("data", ["synthetic", "real"])
def test_train_layers_writes_x_layers_png_with_the_books_shapes(data, mnist_dir, tmp_path, capsys, monkeypatch,
                                                                request):
    """`train.py --epochs 2 --layers --save X.png` (the tiny synthetic set has fewer than 2,000 images: all)."""
    shown = figure_titles(monkeypatch)
    folder = ([str(mnist_dir), "--train-size", "all"] if data == "synthetic"
              else [str(request.getfixturevalue("real_mnist_dir"))])
    train.main(["--data-dir", *folder, "--epochs", "2", "--layers", "--save", str(tmp_path / "X.png"), "--no-show"])
    assert f"Saved figure to {tmp_path / 'X_layers.png'}" in capsys.readouterr().out
    assert_png(tmp_path / "X_layers.png")
    assert shown == [BOOK_STEPS * 2]  # a row for the 4 and a row for the 9


def test_the_steps_are_the_models_forward():
    """The figure's last step is what the model itself answers, for both CNNs."""
    torch.manual_seed(0)
    image = torch.rand(1, 28, 28)
    book = train.Mnist().eval()
    steps = layers_view.book_stages(book, image)
    assert [f"{name}\n{layers_view.shape_text(t)}" for name, t in steps] == BOOK_STEPS
    assert torch.allclose(steps[-1][1], book(image.unsqueeze(0)))
    cnn = CNNClassifier().eval()
    with torch.no_grad():
        steps = layers_view.cnn_stages(cnn, image)
        assert torch.allclose(steps[-1][1], F.softmax(cnn(image.unsqueeze(0)), dim=1)[0])
    assert [layers_view.shape_text(t) for _, t in steps] == [
        "1 x 28x28", "16 x 24x24", "16 x 24x24", "16 x 12x12", "32 x 8x8", "32 x 8x8", "32 x 4x4", "10", "10"]


def test_predict_image_layers_for_a_cnn(tmp_path, capsys, monkeypatch):
    model_file = tmp_path / "cnn.pth"
    torch.save({"model": "cnn", "state_dict": CNNClassifier().state_dict()}, model_file)
    shown = figure_titles(monkeypatch)
    predict.main(["--model", str(model_file), "--image", str(CHAPTER_DIR / "samples" / "my_digit.png"),
                  "--layers", "--save", str(tmp_path / "mine.png")])
    assert f"Saved figure to {tmp_path / 'mine_layers.png'}" in capsys.readouterr().out
    assert_png(tmp_path / "mine_layers.png")
    assert shown[0][1] == "conv1\n16 x 24x24" and shown[0][-1] == "softmax\n10"


@pytest.mark.parametrize("args", [["--layers"], ["--layers", "--image", "samples/my_digit.png"]])
def test_predict_layers_needs_an_image_and_a_cnn(tmp_path, capsys, args):
    model_file = tmp_path / "mlp.pth"
    torch.save({"model": "mlp", "state_dict": predict.MNISTClassifier().state_dict()}, model_file)
    with pytest.raises(SystemExit) as excinfo:
        predict.main(["--model", str(model_file), *args])
    assert_one_line_error(excinfo, capsys, "--layers", "--image", "mnist_model_cnn.pth")
