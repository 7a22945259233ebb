"""Setup shared by the README checks and the cp932 check.

They run `uv run ...` as subprocesses, so they can run in parallel (pytest-xdist,
`-n 2 --dist loadgroup`, as ./test.sh does); tests of one xdist group run one after
another on one worker.

The chapters are those booktools/booktools/chapters.py finds (a top-level folder whose
pyproject.toml installs booktools through a uv path source); nothing here lists them.

Before any worker starts (in the main pytest process: a worker has `config.workerinput`),
every chapter's .venv is brought up to date, so parallel `uv run`s in the chapters never
race to create it. Training scripts that the cp932 check runs record into a temporary
folder per chapter (runs_dir(), passed as RUNS_DIR), removed at the end, never into the
chapter's runs/.
"""
import atexit
import os
import re
import runpy
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = runpy.run_path(str(ROOT / "booktools" / "booktools" / "chapters.py"))["find_chapters"](ROOT)
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
        # --inexact: keep what is there beyond a reader's packages (pytest, which a chapter's
        # suite installs with `uv run --group dev`), so a suite running beside or after this
        # check still finds it. The README paths run in fresh copies, with only what a
        # reader's `uv run` installs.
        subprocess.run(["uv", "sync", "--quiet", "--inexact"], cwd=ROOT / chapter, check=True)


def pytest_collection_modifyitems(items):
    """The README paths first, the one with the most commands first, so that with two workers
    the long tests start early and the short ones fill the gaps."""
    def order(item):
        if "test_follow_the_readme" not in item.nodeid:
            return (1, 0)
        readme = ROOT / item.callspec.params["name"]
        text = readme.read_text("utf-8") if readme.exists() else ""
        return (0, -len(re.findall(r"^uv run ", text, re.M)))
    items.sort(key=order)
