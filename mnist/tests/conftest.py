"""Shared test setup: headless plots, run records in temporary folders, and tiny synthetic MNIST
files in the real IDX format. The fixtures every chapter shares (runs_dir, run_main, x_display)
are booktools.testing's."""

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from booktools.testing import headless_with_temporary_runs, run_main, runs_dir, x_display  # noqa: F401 (fixtures)

headless_with_temporary_runs()  # before anything imports matplotlib: never open a window

CHAPTER_DIR = Path(__file__).resolve().parent.parent
SPLITS = {"train": 360, "t10k": 120}  # images per split, 36 / 12 of each digit


def write_idx(raw_dir, prefix, images, labels):
    """IDX as in MNIST: big-endian magic 2051 (images) / 2049 (labels), then sizes, then bytes."""
    with open(raw_dir / f"{prefix}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), 28, 28))
        f.write(images.astype(np.uint8).tobytes())
    with open(raw_dir / f"{prefix}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 2049, len(labels)))
        f.write(labels.astype(np.uint8).tobytes())


def draw_digits(labels, rng):
    """Each digit is its own fixed set of three thick strokes, shifted and noised per image,
    so the models have something real (but easy) to learn."""
    shapes = np.random.default_rng(1234)
    prototypes = []
    for _ in range(10):
        canvas = np.zeros((28, 28))
        for _ in range(3):
            (r0, c0), (r1, c1) = shapes.integers(6, 22, size=(2, 2))
            for t in np.linspace(0, 1, 40):
                r, c = round(r0 + t * (r1 - r0)), round(c0 + t * (c1 - c0))
                canvas[r - 1:r + 2, c - 1:c + 2] = 1.0
        prototypes.append(canvas)
    images = np.zeros((len(labels), 28, 28))
    for i, label in enumerate(labels):
        dy, dx = rng.integers(-2, 3, size=2)
        images[i] = np.roll(prototypes[label], (dy, dx), axis=(0, 1))
    images = images * rng.uniform(0.7, 1.0, size=(len(labels), 1, 1)) + rng.uniform(0, 0.15, images.shape)
    return np.clip(images * 255, 0, 255)


@pytest.fixture
def outputs_dir(tmp_path, monkeypatch):
    """The chapter's outputs/ in a temporary folder, for the scripts this test runs in-process
    (booktools' Parser takes the chapter folder from the script's path; here it is tmp_path)."""
    from booktools.cli import Parser

    init = Parser.__init__

    def in_tmp(self, script, **kwargs):
        init(self, script, **kwargs)
        self.chapter_dir = tmp_path

    monkeypatch.setattr(Parser, "__init__", in_tmp)
    return tmp_path / "outputs"


@pytest.fixture(scope="session")
def mnist_dir(tmp_path_factory):
    """A folder usable as --data-dir: <dir>/MNIST/raw/ with the four synthetic IDX files."""
    root = tmp_path_factory.mktemp("mnist")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in SPLITS.items():
        labels = np.tile(np.arange(10), n // 10)
        rng.shuffle(labels)
        write_idx(raw, prefix, draw_digits(labels, rng), labels)
    return root


@pytest.fixture
def real_mnist_dir():
    """The real data set, only when the CI (or you) set MNIST_DATA_DIR."""
    path = os.environ.get("MNIST_DATA_DIR")
    if not path:
        pytest.skip("MNIST_DATA_DIR is not set (point it at a folder holding MNIST/raw/ to run real-data tests)")
    return Path(path)


def assert_png(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000  # a real figure, not an empty canvas


def assert_one_line_error(excinfo, capsys, *fragments):
    """Exit status 2, exactly one line on stderr starting with 'error:', no traceback."""
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def numbers(pattern, text):
    """All matches of a regex with float groups, as tuples of floats."""
    return [tuple(float(g) for g in m) if isinstance(m, tuple) else float(m)
            for m in re.findall(pattern, text)]


def assert_ends_quietly_when_cut_short(script, *args):
    """Run src/<script> with its output piped into a reader that stops after one line (as
    `| head -n 1` does): it must end without a traceback and without an "Exception ignored" line."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="")  # PYTHONUNBUFFERED would hide the flush at exit
    process = subprocess.Popen([sys.executable, str(CHAPTER_DIR / "src" / script), *map(str, args)],
                               cwd=CHAPTER_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # the reader stops reading
    err = process.stderr.read().decode()
    process.wait(timeout=300)
    assert first.strip(), err  # the script did print something before it was cut short
    assert "Traceback" not in err and "Exception ignored" not in err, err
    return process.returncode
