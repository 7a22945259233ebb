"""The tests run booktools as the chapters use it: through the small chapter in chapter/
(src/train.py, src/train_linear.py, src/runs.py), in-process (main([...])) and as the reader
runs it (python ./src/train.py ... in a copy of that folder)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from booktools.testing import headless_with_temporary_runs, run_main, runs_dir, x_display  # noqa: F401 (fixtures)

headless_with_temporary_runs()

TESTS_DIR = Path(__file__).resolve().parent
CHAPTER_DIR = TESTS_DIR / "chapter"
STEPS, WIDE = str(CHAPTER_DIR / "data" / "steps.csv"), str(CHAPTER_DIR / "data" / "wide.csv")


def epoch_losses(output):
    """The (epoch, loss) pairs of the 'Epoch N, Loss: x' lines."""
    return [(int(e), float(x)) for e, x in re.findall(r"^Epoch (\d+), Loss: (\S+)$", output, re.M)]


def assert_one_line_error(code, err, *words):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, err)


@pytest.fixture
def train_run(run_main, tmp_path):
    """train.py's main() (or train_linear.py's) headless and short; returns (out, err).
    The figure goes to --save in tmp_path: never into the chapter's outputs/."""
    import train

    def run(*argv, data=STEPS, script=train, save=tmp_path / "figure.png"):
        code, out, err = run_main(script.main, data, "--save", str(save), *argv)
        assert code == 0, err
        return out, err
    return run


@pytest.fixture
def chapter(tmp_path):
    """A copy of the test chapter, and a function that runs one of its scripts there as the
    reader does (python ./src/SCRIPT ...); its runs/ is the copy's own."""
    copy = tmp_path / "chapter"
    shutil.copytree(CHAPTER_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "outputs", "runs"))
    env = {key: value for key, value in os.environ.items() if key != "RUNS_DIR"}

    def run(script, *argv, code=0, env_extra=None):
        result = subprocess.run([sys.executable, f"./src/{script}", *argv], cwd=copy,
                                env={**env, **(env_extra or {})}, capture_output=True, text=True,
                                encoding="utf-8", timeout=120)
        assert result.returncode == code, result.stderr
        return result

    run.folder = copy
    return run
