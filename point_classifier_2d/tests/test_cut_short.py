"""Output cut short (`... | head -n 1`): every script ends quietly, no traceback."""
import os
import subprocess
import sys

import pytest

from conftest import CHAPTER_DIR


def run_cut_short(argv, lines):
    """Run a script with stdout into a pipe, read `lines` lines, close the pipe; its stderr."""
    script = subprocess.Popen([sys.executable, *argv], cwd=CHAPTER_DIR, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "MPLBACKEND": "Agg"})
    read = [script.stdout.readline() for _ in range(lines)]
    script.stdout.close()  # the reader stops reading, as `head` does
    err = script.stderr.read()
    script.wait(timeout=600)
    return read, err


@pytest.mark.parametrize("argv, lines, first", [
    # train.py prints the model, then a line every 1,000 epochs: the pipe is closed while it trains.
    (["./src/train.py", "./data/linear.csv", "simple", "--epochs", "3001"], 1,
     "PointClassifier2DSimple(\n"),
    # dump_points.py prints one line at the end: the pipe is closed before it.
    (["./src/dump_points.py", "./data/linear.csv"], 0, None),
])
def test_script_ends_quietly_when_output_is_cut_short(argv, lines, first):
    read, err = run_cut_short(argv, lines)
    if first is not None:
        assert read == [first]
    assert "Traceback" not in err, err
    assert "Exception ignored" not in err, err
    assert "BrokenPipeError" not in err, err
