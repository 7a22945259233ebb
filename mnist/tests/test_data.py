"""Loading MNIST: synthetic files load as tensors; missing or broken files give one clear line."""

import shutil

import pytest
import torch
from torchvision import datasets

from conftest import assert_one_line_error
from mnist_data import load_mnist


def test_loads_tensors_in_unit_range(mnist_dir):
    images, labels = load_mnist(mnist_dir, train=True)
    assert images.shape == (360, 1, 28, 28) and images.dtype == torch.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.5
    assert labels.dtype == torch.int64 and set(labels.tolist()) == set(range(10))


def test_no_network_no_files_says_where_to_put_them(tmp_path, monkeypatch, capsys):
    # A closed local port stands in for "no internet": fails at once, never downloads.
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(SystemExit) as excinfo:
        load_mnist(tmp_path / "empty", train=True)
    line = assert_one_line_error(excinfo, capsys, "MNIST", "raw", "--data-dir",
                                 "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    assert str(tmp_path / "empty") in line


@pytest.mark.parametrize("damage", ["truncate", "bad_magic"])
def test_broken_idx_file_is_one_line(mnist_dir, tmp_path, capsys, damage):
    broken = tmp_path / "broken"
    shutil.copytree(mnist_dir, broken)
    path = broken / "MNIST" / "raw" / "train-images-idx3-ubyte"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"\x00\x00\x09\x99" + data[4:])
    with pytest.raises(SystemExit) as excinfo:
        load_mnist(broken, train=True)
    assert_one_line_error(excinfo, capsys, "could not load MNIST", "MNIST/raw")
