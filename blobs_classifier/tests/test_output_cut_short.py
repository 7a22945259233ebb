"""Output cut short (`| head -n 1`): every script ends quietly, without a traceback."""
import os
import subprocess
import sys

import pytest

from conftest import CHAPTER_DIR


@pytest.mark.parametrize("script, args", [
    ("dump_points.py", []),
    ("train.py", ["--epochs", "300", "--no-live"]),
])
def test_reader_stops_reading_after_one_line(tmp_path, script, args):
    process = subprocess.Popen(
        [sys.executable, f"./src/{script}", *args, "--save", str(tmp_path / "figure.png")],
        cwd=CHAPTER_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "MPLBACKEND": "Agg"})
    first = process.stdout.readline()
    process.stdout.close()  # like `head -n 1`: the rest of the output has nowhere to go
    _, err = process.communicate(timeout=120)
    assert first.strip()  # it did print
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "BrokenPipeError" not in err
