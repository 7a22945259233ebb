"""train_with_linear.py: train.py's loop with a fully connected model, and its place in the book's story."""

import math

import torch

import train
import train_with_linear
from conftest import assert_ends_quietly_when_cut_short, assert_png, numbers
from test_train import EPOCH_LINE


def test_end_to_end_on_synthetic_data(mnist_dir, outputs_dir, capsys):
    train_with_linear.main(["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "8",
                            "--batch-size", "16", "--mistakes", "4"])
    text = capsys.readouterr().out
    assert "LinearMnist(" in text and "Conv2d" not in text
    assert "Parameters: 108,801" in text  # 784*128+128 + 128*64+64 + 64+1, about 70x the CNN's 1,521
    assert "Training images: 72, test images: 24" in text
    rows = numbers(EPOCH_LINE, text)
    assert [int(r[0]) for r in rows] == list(range(8))
    assert all(math.isfinite(v) for row in rows for v in row)
    assert rows[-1][1] < rows[0][1]
    # Its own figure names: train.py's figures are not overwritten.
    assert f"Saved figure to {outputs_dir / 'train_with_linear.png'}" in text
    assert_png(outputs_dir / "train_with_linear.png")
    assert not (outputs_dir / "train.png").exists()
    if "showing 0" not in text:
        assert_png(outputs_dir / "train_with_linear_mistakes.png")


def test_book_settings_and_shared_flags():
    args = train.parse_args([], lr=0.0003)
    assert args.lr == 0.0003 and args.epochs == 40 and args.batch_size == 100  # the book's values
    assert train.parse_args([]).lr == 0.004
    model = train_with_linear.LinearMnist()
    outputs = model(torch.rand(5, 1, 28, 28))
    assert outputs.shape == (5,) and ((0 < outputs) & (outputs < 1)).all()  # sigmoid last, as train.py
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1,)


def test_real_data_fully_connected_stays_below_the_cnn(real_mnist_dir, tmp_path, capsys):
    """The book's point: 70x the parameters, yet worse than the CNN's 0.98 bar (test_train.py)."""
    train_with_linear.main(["--data-dir", str(real_mnist_dir), "--save", str(tmp_path / "c.png"), "--no-show"])
    rows = numbers(EPOCH_LINE, capsys.readouterr().out)
    assert len(rows) == 40
    assert 0.96 <= rows[-1][3] < 0.98
    train_loss, test_loss = rows[-1][1], rows[-1][2]
    assert test_loss > 4 * train_loss  # memorised the 2,000 training images
    assert min(r[2] for r in rows) > 0.05  # the CNN's lowest test loss is below 0.03


def test_ends_quietly_when_output_is_cut_short(mnist_dir, tmp_path):
    assert_ends_quietly_when_cut_short("train_with_linear.py", "--data-dir", mnist_dir, "--train-size", "all",
                                       "--epochs", "3", "--no-show", "--save", tmp_path / "c.png")
