"""Loading MNIST: synthetic files load as tensors; missing or broken files give one clear line."""

import shutil

import pytest
import torch
from torchvision import datasets

from conftest import assert_one_line_error
from digits import mnist_data
from digits.mnist_data import load_mnist


def test_loads_tensors_in_unit_range(mnist_dir):
    images, labels = load_mnist(mnist_dir, train=True)
    assert images.shape == (360, 1, 28, 28) and images.dtype == torch.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.5
    assert labels.dtype == torch.int64 and set(labels.tolist()) == set(range(10))


def test_no_network_no_files_says_where_to_put_them(tmp_path, monkeypatch, capsys):
    # The chapter's data/ (the only folder downloaded into) stands in a temporary folder, and
    # a closed local port stands in for "no internet": fails at once, never downloads.
    monkeypatch.setattr(mnist_data, "DEFAULT_DATA_DIR", tmp_path / "empty")
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(SystemExit) as excinfo:
        load_mnist(tmp_path / "empty", train=True)
    line = assert_one_line_error(excinfo, capsys, "MNIST", "raw", "--data-dir",
                                 "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    assert str(tmp_path / "empty") in line and "download failed" in line


def test_a_folder_without_mnist_is_one_line_and_stays_as_it_was(tmp_path, monkeypatch, capsys):
    """--data-dir names the reader's folder: it is only read (no download, no MNIST/raw made in it)."""
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    mine = tmp_path / "my_data"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit) as excinfo:
        load_mnist(mine, train=True)
    assert_one_line_error(excinfo, capsys, "are not in", str(mine / "MNIST" / "raw"), "--data-dir")
    assert sorted(p.name for p in mine.rglob("*")) == ["notes.txt"]
    with pytest.raises(SystemExit):
        load_mnist(tmp_path / "missing", train=False)
    assert not (tmp_path / "missing").exists()


def test_the_mnist_or_raw_folder_itself_works(mnist_dir):
    """--data-dir may name the folder holding MNIST/, the MNIST folder, or MNIST/raw itself."""
    expected, _ = load_mnist(mnist_dir, train=False)
    for folder in [mnist_dir / "MNIST", mnist_dir / "MNIST" / "raw"]:
        images, labels = load_mnist(folder, train=False)
        assert torch.equal(images, expected) and len(labels) == 120


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


def test_a_data_dir_with_a_typo_names_the_folder_meant(mnist_dir, capsys):
    typo = mnist_dir.parent / (mnist_dir.name[:-1] + "x")  # a folder that is not there, beside the real one
    with pytest.raises(SystemExit) as excinfo:
        load_mnist(typo, train=True)
    assert_one_line_error(excinfo, capsys, f"are not in {typo / 'MNIST' / 'raw'}/ (no such folder; "
                                           f"did you mean {mnist_dir}?)", "put them there")
    assert not typo.exists()


def test_a_data_dir_with_some_files_says_which_are_there(tmp_path, capsys):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(b"not unpacked")
    (raw / "t10k-labels-idx1-ubyte").write_bytes(b"one of four")
    with pytest.raises(SystemExit) as excinfo:
        load_mnist(tmp_path, train=True)
    assert_one_line_error(excinfo, capsys, "(found there: t10k-labels-idx1-ubyte, train-images-idx3-ubyte.gz)",
                          "train-labels-idx1-ubyte, t10k-images-idx3-ubyte")
