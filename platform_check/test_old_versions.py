"""Each chapter's main script runs on an Intel Mac's versions: torch 2.2.2, numpy 1.26.4
(torchvision 0.17.2), installed here over the chapter's own environment with `uv run --with`.

A short run of each, as a reader runs it (headless, few epochs): it must exit 0, really
import the old versions, and print the book's loss lines with finite, falling losses.

    uv run --no-project --with pytest pytest platform_check     (./test.sh runs it)
"""
import math
import os
import re
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OLD = {"torch": "2.2.2", "numpy": "1.26.4", "torchvision": "0.17.2"}
NUMBER = r"([-+0-9.eE]+|nan|inf)"


def run_old(chapter, args, tmp_path, packages=("torch", "numpy")):
    """`uv run --with torch==2.2.2 --with numpy==1.26.4 ARGS` in the chapter: its output."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(MPLBACKEND="Agg", RUNS_DIR=str(tmp_path / "runs"), PYTHONIOENCODING="utf-8")
    withs = [arg for p in packages for arg in ("--with", f"{p}=={OLD[p]}")]
    done = subprocess.run(["uv", "run", "--quiet", *withs, *args], cwd=ROOT / chapter, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assert_old_versions(chapter, tmp_path, packages):
    code = "; ".join(f"import {p}; print({p}.__version__)" for p in packages)
    printed = run_old(chapter, ["python", "-c", code], tmp_path, packages).split()
    # Linux's torch wheel says 2.2.2+cu121
    assert [v.split("+")[0] for v in printed] == [OLD[p] for p in packages], printed


def losses(pattern, out):
    found = [float(x) for x in re.findall(pattern, out, re.M)]
    assert found and all(math.isfinite(x) for x in found), out
    return found


def test_point_classifier_2d(tmp_path):
    assert_old_versions("point_classifier_2d", tmp_path, ("torch", "numpy"))
    out = run_old("point_classifier_2d", ["./src/train.py", "./data/curve.csv", "complex", "--epochs", "1001",
                                          "--no-show", "--save", str(tmp_path / "p.png")], tmp_path)
    found = losses(rf"^Epoch \d+, Loss: {NUMBER}$", out)
    assert len(found) == 2 and found[-1] < found[0] / 2, out
    assert (tmp_path / "p.png").stat().st_size > 0


def test_blobs_classifier(tmp_path):
    assert_old_versions("blobs_classifier", tmp_path, ("torch", "numpy"))
    out = run_old("blobs_classifier", ["./src/train.py", "--epochs", "300", "--no-show",
                                       "--save", str(tmp_path / "b.png")], tmp_path)
    found = losses(rf"Epoch: \d+, Loss: {NUMBER}", out)
    assert len(found) == 3 and found[-1] < found[0], out
    assert float(re.search(r"Accuracy: ([0-9.]+)", out).group(1)) > 0.8, out


def test_mlp_regression(tmp_path):
    assert_old_versions("mlp_regression", tmp_path, ("torch", "numpy"))
    out = run_old("mlp_regression", ["./src/train.py", "--epochs", "20", "--no-show",
                                     "--save", str(tmp_path / "m.png")], tmp_path)
    found = losses(rf"Epoch \d+, Train Loss: {NUMBER}", out)
    assert len(found) >= 2 and found[-1] < found[0], out
    assert "Test RMSE:" in out, out


def write_tiny_mnist(root):
    """root/MNIST/raw/ with 200 training and 100 test images in MNIST's IDX format: each
    digit a bright square in its own place, so a few epochs learn it."""
    import random

    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = random.Random(0)
    for prefix, n in (("train", 200), ("t10k", 100)):
        labels = [i % 10 for i in range(n)]
        pixels = bytearray()
        for label in labels:
            image = bytearray(rng.randrange(40) for _ in range(28 * 28))
            top, left = 2 + 8 * (label // 4), 2 + 6 * (label % 4)
            for r in range(top, top + 6):
                for c in range(left, left + 6):
                    image[r * 28 + c] = 255
            pixels += image
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + pixels)
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, n) + bytes(labels))


def test_mnist(tmp_path):
    packages = ("torch", "numpy", "torchvision")
    assert_old_versions("mnist", tmp_path, packages)
    write_tiny_mnist(tmp_path / "data")
    out = run_old("mnist", ["./src/train.py", "--data-dir", str(tmp_path / "data"), "--train-size", "all",
                            "--epochs", "3", "--device", "cpu", "--no-show",
                            "--save", str(tmp_path / "n.png")], tmp_path, packages)
    found = losses(rf"Epoch: \d+, Train Loss: {NUMBER}", out)
    assert len(found) == 3 and found[-1] < found[0], out
