"""Output cut short (`| head -n 1`): every script ends quietly, without a traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHAPTER_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script, args", [
    ("basics.py", []),
    ("train.py", ["--epochs", "20"]),
])
def test_reader_stops_reading_after_one_line(tmp_path, script, args):
    if script == "train.py":
        args = args + ["--save", str(tmp_path / "figure.png")]
    process = subprocess.Popen(
        [sys.executable, f"./src/{script}", *args], cwd=CHAPTER_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "MPLBACKEND": "Agg"})
    first = process.stdout.readline()
    process.stdout.close()  # like `head -n 1`: the rest of the output has nowhere to go
    _, err = process.communicate(timeout=120)
    assert first  # it did print a line (basics.py starts with an empty one)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "BrokenPipeError" not in err
