"""train.py (4 vs 9 CNN): book-format lines, figures, errors, and the 0.98 bar on real data."""

import math
import runpy
import sys

import pytest
import torch

import train
from conftest import CHAPTER_DIR, assert_ends_quietly_when_cut_short, assert_one_line_error, assert_png, numbers

EPOCH_LINE = r"Epoch: (\d+), Train Loss: ([\d.]+), Test Loss: ([\d.]+), Test Accuracy: ([\d.]+)"


def test_end_to_end_on_synthetic_data(mnist_dir, tmp_path, capsys):
    out = tmp_path / "curves.png"
    train.main(["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "8",
                "--batch-size", "16", "--mistakes", "4", "--save", str(out), "--no-show"])
    text = capsys.readouterr().out
    assert "Parameters: 1,521" in text
    assert "Training images: 72, test images: 24" in text
    rows = numbers(EPOCH_LINE, text)
    assert [int(r[0]) for r in rows] == list(range(8))
    assert all(math.isfinite(v) for row in rows for v in row)
    assert rows[-1][1] < rows[0][1]  # the training loss went down
    assert all(0.0 <= row[3] <= 1.0 for row in rows)
    assert f"Saved figure to {out}" in text
    assert_png(out)
    if "showing 0" not in text:
        assert_png(tmp_path / "curves_mistakes.png")


def test_subset_is_seeded_and_labels_are_binary(mnist_dir):
    args = train.parse_args(["--data-dir", str(mnist_dir), "--train-size", "20"])
    train_data, test_data = train.load_data(args)
    again, _ = train.load_data(args)
    x1, y1 = train_data.dataset.tensors
    assert x1.shape == (20, 1, 28, 28) and torch.equal(x1, again.dataset.tensors[0])
    assert set(y1.tolist()) <= {0.0, 1.0} and set(test_data.dataset.tensors[1].tolist()) == {0.0, 1.0}
    assert len(test_data.dataset) == 24


def test_load_data_gives_the_books_batches(mnist_dir):
    """The book's loop `for data, label in train_data:` over batches (100 unless --batch-size), shuffled each epoch."""
    assert train.parse_args([]).batch_size == 100
    args = train.parse_args(["--data-dir", str(mnist_dir), "--train-size", "all", "--batch-size", "30"])
    train_data, _ = train.load_data(args)
    first = [(data, label) for data, label in train_data]
    assert [len(label) for _, label in first] == [30, 30, 12]
    assert first[0][0].shape == (30, 1, 28, 28) and first[0][1].dtype == torch.float32
    second = [label for _, label in train_data]
    assert not torch.equal(first[0][1], second[0]) or not torch.equal(first[1][1], second[1])  # reshuffled


def test_model_shapes_and_probabilities():
    model = train.Mnist()
    outputs = model(torch.rand(5, 1, 28, 28))
    assert outputs.shape == (5,)
    assert ((0 < outputs) & (outputs < 1)).all()  # sigmoid last, as in the book: P(the image is a 9)
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1,)  # a last batch of one still works


@pytest.mark.parametrize("args, fragment", [
    (["--epochs", "0"], "--epochs"),
    (["--batch-size", "-5"], "--batch-size"),
    (["--train-size", "0"], "--train-size"),
    (["--mistakes", "0"], "--mistakes"),
    (["--lr", "0"], "--lr"),
    (["--train-size", "5000"], "--train-size 5000"),
])
def test_bad_flags(mnist_dir, capsys, args, fragment):
    with pytest.raises(SystemExit) as excinfo:
        train.main(["--data-dir", str(mnist_dir), "--no-show"] + args)
    assert_one_line_error(excinfo, capsys, fragment)


def test_book_baseline_runs(mnist_dir, tmp_path, monkeypatch, capsys):
    """bench/book_train.py (the timing baseline) prints the same line format."""
    monkeypatch.setattr(sys, "argv", ["book_train.py", "--data-dir", str(mnist_dir), "--epochs", "2",
                                      "--save", str(tmp_path / "book.png")])
    runpy.run_path(str(CHAPTER_DIR / "bench" / "book_train.py"), run_name="__main__")
    rows = numbers(EPOCH_LINE, capsys.readouterr().out)
    assert len(rows) == 2 and all(math.isfinite(v) for row in rows for v in row)
    assert_png(tmp_path / "book.png")


def test_real_data_defaults_reach_0985(real_mnist_dir, tmp_path, capsys):
    train.main(["--data-dir", str(real_mnist_dir), "--save", str(tmp_path / "c.png"), "--no-show"])
    rows = numbers(EPOCH_LINE, capsys.readouterr().out)
    assert len(rows) == 40
    assert rows[-1][3] >= 0.985
    assert rows[-1][1] < rows[0][1]


def test_ends_quietly_when_output_is_cut_short(mnist_dir, tmp_path):
    assert_ends_quietly_when_cut_short("train.py", "--data-dir", mnist_dir, "--train-size", "all",
                                       "--epochs", "3", "--no-show", "--save", tmp_path / "c.png")
