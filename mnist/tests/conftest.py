"""Shared test setup: headless plots and tiny synthetic MNIST files in the real IDX format."""

import os

os.environ["MPLBACKEND"] = "Agg"  # before anything imports matplotlib: never open a window

import atexit
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

# Run records go to a temporary folder, never into the chapter's runs/ (each test gets its own
# below; this one catches anything run outside a test).
os.environ["RUNS_DIR"] = tempfile.mkdtemp(prefix="runs-")
atexit.register(shutil.rmtree, os.environ["RUNS_DIR"], ignore_errors=True)

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


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """This test's runs/ folder (booktools.records reads RUNS_DIR), also for the scripts it starts."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("RUNS_DIR", str(folder))
    return folder


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


@pytest.fixture(scope="module")
def x_display():
    """A virtual X display (Xvfb) for real Tk windows (test_live.py, test_draw.py); skipped where none can be had."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb xauth); the real window is not tested")
    try:
        import tkinter  # noqa: F401
    except ImportError:
        pytest.skip("this Python has no tkinter; the real window is not tested")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], pass_fds=[write_end],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # Xvfb picks a free display and writes its number when ready
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start; the real window is not tested")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


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
