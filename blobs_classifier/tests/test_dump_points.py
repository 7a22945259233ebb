import re

import numpy as np
import pytest

import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import dump_points


def is_png(path):
    return (path.exists() and path.stat().st_size > 10_000
            and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n")


def test_default_data_and_figure(tmp_path, capsys):
    png = tmp_path / "points.png"
    dump_points.main(["--no-show", "--save", str(png)])
    out = capsys.readouterr().out
    assert "Points: 500 (400 training, 100 validation), features: 2, classes: 3" in out
    counts = [int(n) for n in re.findall(r"Class \d+: (\d+) points", out)]
    assert len(counts) == 3 and sum(counts) == 500
    assert f"Saved figure to {png}" in out
    assert is_png(png)


def test_headless_run_saves_to_outputs(tmp_path, monkeypatch, capsys):
    # The chapter is found from the script's place: here a chapter folder in tmp_path.
    monkeypatch.setattr(dump_points, "__file__", str(tmp_path / "src" / "dump_points.py"))
    dump_points.main([])
    saved = tmp_path / "outputs" / "dump_points.png"
    assert f"Saved figure to {saved}" in capsys.readouterr().out
    assert is_png(saved)


def test_make_data_is_the_articles_data():
    train_data, val_data, train_labels, val_labels, scaler = dump_points.make_data(3, 2, 500, 42)
    assert train_data.shape == (400, 2) and val_data.shape == (100, 2)
    assert train_data.dtype == torch.float32 and train_labels.dtype == torch.long
    # The article's steps, written out here: make_blobs -> StandardScaler -> split.
    data, labels = make_blobs(n_samples=500, centers=3, n_features=2, random_state=42)
    data = StandardScaler().fit_transform(data)
    expected = train_test_split(data, labels, test_size=0.2, random_state=42)
    for ours, theirs in zip([train_data, val_data, train_labels, val_labels], expected):
        assert np.abs(ours.numpy() - theirs).max() < 1e-6
    # The kept scaler is the one that standardized the data.
    both = np.concatenate([train_data.numpy(), val_data.numpy()])
    assert np.abs(scaler.transform(scaler.inverse_transform(both)) - both).max() < 1e-5
    assert abs(both.mean(axis=0)).max() < 1e-6 and abs(both.std(axis=0) - 1).max() < 1e-6


@pytest.mark.parametrize("args", [["--classes", "4", "--samples", "200"], ["--features", "3"],
                                  ["--features", "1"]])
def test_other_shapes_run(tmp_path, capsys, args):
    png = tmp_path / "points.png"
    dump_points.main(args + ["--no-show", "--save", str(png)])
    assert is_png(png)


@pytest.mark.parametrize("args, words", [
    (["--classes", "1"], "--classes"),
    (["--samples", "2", "--classes", "3"], "--samples"),
    (["--features", "0"], "--features"),
    (["--save", "points.csv"], ".png"),
    (["--samples", "many"], "invalid int"),
])
def test_bad_values_exit_2_with_one_line(capsys, args, words):
    with pytest.raises(SystemExit) as exit_info:
        dump_points.main(args + ["--no-show"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
