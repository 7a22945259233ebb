"""Setup shared by the README check and the cp932 check.

Both run `uv run ...` in the chapter folders as subprocesses, so they can run in
parallel (pytest-xdist, `-n 2 --dist loadgroup`, as ./test.sh does). Each test is
put in an xdist group (see `group()`): tests of one group run one after another on
one worker, so two runs never write the same file at the same time.

The setup below happens once, in the main pytest process, before any worker starts
(a worker has `config.workerinput`; the main process has not):
- every chapter's .venv is brought up to date, so parallel `uv run`s never race to
  create it;
- with MNIST_DATA_DIR set, the mnist chapter's default ./data/MNIST/raw/ gets links
  to the real files (removed again at the end), so the mnist README commands run as
  written, without --data-dir.
Training scripts record every run in their chapter's runs/; here they record into a
temporary folder per chapter instead (runs_dir(), passed as RUNS_DIR), removed at the end.
"""
import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["point_classifier_2d", "mnist", "blobs_classifier", "mlp_regression"]
MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
MNIST_RAW = ROOT / "mnist" / "data" / "MNIST" / "raw"
_links = []
_RUNS = Path(tempfile.mkdtemp(prefix="readme-check-runs-"))
atexit.register(shutil.rmtree, _RUNS, ignore_errors=True)


def runs_dir(name):
    """A temporary runs/ folder for `name` (a chapter): records never land in the repository."""
    return str(_RUNS / name)


def group(folder, script):
    """xdist group for a run of `script` in `folder`.

    One script's runs write the same default files (outputs/<name>.png, a saved
    model), so they share a group; predict.py, draw.py and tests/handwriting.py (`uv run python`)
    read the models that train_mlp.py and train_cnn.py write, so all of them join
    train_mlp.py's group; runs.py reads the records train.py writes, so it joins
    train.py's, and so does mnist's train_with_linear.py (train.py --compare draws its
    run, as the README shows); mlp_regression's make_rent_data.py joins it too (train.py
    --data reads the CSV it writes). Different groups run in parallel.
    """
    script = {"predict.py": "train_mlp.py", "train_cnn.py": "train_mlp.py", "python": "train_mlp.py",
              "draw.py": "train_mlp.py"}.get(script, script)
    if script in ("runs.py", "train_with_linear.py", "make_rent_data.py"):  # in train.py's order
        script = "train.py"
    return f"{Path(folder).resolve().relative_to(ROOT)}/{script}"


def real_mnist_source():
    """The folder holding MNIST/raw/ named by MNIST_DATA_DIR, or None."""
    source = os.environ.get("MNIST_DATA_DIR")
    if source and (Path(source) / "MNIST" / "raw").is_dir():
        return Path(source).resolve()
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): run in one xdist worker with its group")
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the main process did the setup
    for chapter in CHAPTERS:
        if (ROOT / chapter / "pyproject.toml").exists():
            subprocess.run(["uv", "sync", "--quiet"], cwd=ROOT / chapter, check=True)
    source = real_mnist_source()
    if source is not None:
        MNIST_RAW.mkdir(parents=True, exist_ok=True)
        for name in MNIST_FILES:
            link = MNIST_RAW / name
            if not link.exists() and not link.is_symlink():  # never replace the reader's files
                link.symlink_to(source / "MNIST" / "raw" / name)
                _links.append(link)


def pytest_unconfigure(config):
    for link in _links:
        link.unlink(missing_ok=True)
    _links.clear()


@pytest.fixture(scope="session")
def mnist_data():
    """mnist/data/MNIST/raw with the real files, or None when MNIST_DATA_DIR is not set."""
    if real_mnist_source() is None:
        return None
    return MNIST_RAW


def pytest_collection_modifyitems(items):
    """Groups with more runs first (a stable sort keeps each group's own order), so that
    with two workers the long groups start early and the short ones fill the gaps."""
    def name(item):
        marker = item.get_closest_marker("xdist_group")
        return marker.args[0] if marker else None
    sizes = {}
    for item in items:
        sizes[name(item)] = sizes.get(name(item), 0) + 1
    items.sort(key=lambda item: -sizes[name(item)] if name(item) else 0)
