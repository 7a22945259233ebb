"""The chapter's story, checked on the real data files at the default settings.
(complex on curve.csv, for ten seeds: test_stability.py)"""
import os
import subprocess

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from booktools.live import LiveView
import train
from conftest import set_up_like_train, CHAPTER_DIR, DATA_DIR, epoch_losses


def train_losses(run_main, tmp_path, *argv):
    png = tmp_path / "figure.png"
    code, out, err = run_main(train.main, *argv, "--save", str(png))
    assert code == 0, err
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    return out, epoch_losses(out)


def test_simple_on_linear_reaches_the_logistic_regression_optimum(run_main, tmp_path):
    out, losses = train_losses(run_main, tmp_path, str(DATA_DIR / "linear.csv"), "simple")
    assert "Parameters: 3" in out
    assert [epoch for epoch, _ in losses] == list(range(0, 20001, 1000))

    # An independent fit of the same model: logistic regression without penalty.
    data = np.loadtxt(DATA_DIR / "linear.csv", delimiter=",")
    fit = LogisticRegression(C=np.inf, max_iter=10_000).fit(data[:, :2], data[:, 2])
    optimum = log_loss(data[:, 2], fit.predict_proba(data[:, :2])[:, 1])
    assert 0.15 < optimum < 0.2
    assert losses[-1][1] == pytest.approx(optimum, abs=1e-3)
    assert losses[0][1] > losses[-1][1] + 0.2


def test_the_books_four_steps_classify_1000_random_points(capsys):
    # main()'s steps one by one, as the book lists them (a shorter training).
    set_up_like_train(0)
    points, labels = train.load_data(str(DATA_DIR / "linear.csv"))
    model = train.construct_model("simple")
    live = LiveView(["loss"], 5001)
    train.train_model(model, points, labels, 5001, 0.003, live)
    random_points, result = train.exec_for_random_points(model)

    assert len(live.curves["loss"]) == 5001 and live.curves["loss"][-1] < 0.25
    assert "Epoch 5000, Loss: " in capsys.readouterr().out
    assert random_points.shape == (1000, 2) and result.shape == (1000,)
    assert ((random_points >= 0) & (random_points < 1)).all()
    assert ((result > 0) & (result < 1)).all()  # sigmoid: a probability of blue
    # The class given by the 0.5 rule: blue above the line the data was made from.
    above = random_points[:, 1] > 0.8 * random_points[:, 0] + 0.1
    assert ((result >= 0.5) == above).float().mean() > 0.95


def test_simple_on_curve_plateaus(run_main, tmp_path):
    _, losses = train_losses(run_main, tmp_path, str(DATA_DIR / "curve.csv"), "simple")
    assert losses[-1][1] >= 0.35
    # A plateau: the last 5,000 epochs change the loss by almost nothing.
    assert abs(losses[-6][1] - losses[-1][1]) < 1e-3


def test_complex_memorises_random_labels(run_main, tmp_path):
    out, losses = train_losses(run_main, tmp_path, str(DATA_DIR / "random.csv"), "complex")
    assert "Parameters: 17,025" in out
    assert losses[-1][1] < losses[0][1] / 2


def test_the_books_command_runs_as_typed():
    # The reader's exact command, through uv, headless; short run via --epochs.
    result = subprocess.run(
        ["uv", "run", "./src/train.py", "./data/linear.csv", "simple", "--epochs", "1001"],
        cwd=CHAPTER_DIR, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    losses = epoch_losses(result.stdout)
    assert [epoch for epoch, _ in losses] == [0, 1000]
    assert losses[1][1] < losses[0][1]
    saved = result.stdout.strip().splitlines()[-1]
    assert saved.startswith("Saved figure to ") and saved.endswith("train_linear_simple.png")
    assert (CHAPTER_DIR / "outputs" / "train_linear_simple.png").exists()
