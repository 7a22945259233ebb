"""Setup shared by the README checks and the cp932 check.

They run `uv run ...` as subprocesses, so they can run in parallel (pytest-xdist,
`-n 2 --dist loadgroup`, as ./test.sh does); tests of one xdist group run one after
another on one worker.

Before any worker starts (in the main pytest process: a worker has `config.workerinput`),
every chapter's .venv is brought up to date, so parallel `uv run`s in the chapters never
race to create it. Training scripts that the cp932 check runs record into a temporary
folder per chapter (runs_dir(), passed as RUNS_DIR), removed at the end, never into the
chapter's runs/.
"""
import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["point_classifier_2d", "mnist", "blobs_classifier", "mlp_regression"]
MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
_RUNS = Path(tempfile.mkdtemp(prefix="readme-check-runs-"))
atexit.register(shutil.rmtree, _RUNS, ignore_errors=True)


def runs_dir(name):
    """A temporary runs/ folder for `name`: records never land in the repository."""
    return str(_RUNS / name)


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


def pytest_collection_modifyitems(items):
    """The README paths first (mnist's is the longest), so that with two workers the long
    tests start early and the short ones fill the gaps."""
    def order(item):
        name = item.nodeid
        return (0 if "mnist/README" in name else 1 if "test_follow_the_readme" in name else 2)
    items.sort(key=order)
