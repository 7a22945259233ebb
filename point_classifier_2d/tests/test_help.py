"""`--help` and a mistyped flag answer at once: without matplotlib, PIL or contourpy,
which only the figures need (measured: README「速さ」)."""
import subprocess
import sys

import pytest

from conftest import CHAPTER_DIR

# Runs a script as `uv run` does, then says which figure libraries it had loaded.
PROBE = """
import runpy, sys
sys.argv = sys.argv[1:]
sys.path.insert(0, "src")
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    loaded = [name for name in ("matplotlib", "PIL", "contourpy") if name in sys.modules]
    print("loaded:", loaded, file=sys.stderr)
"""


def probe(*argv):
    return subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=CHAPTER_DIR,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script", ["./src/train.py", "./src/dump_points.py"])
def test_help_loads_no_figure_library(script):
    result = probe(script, "--help")
    assert result.returncode == 0, result.stderr
    assert "--save" in result.stdout and "--no-show" in result.stdout
    assert "loaded: []" in result.stderr


def test_a_mistyped_flag_is_one_line_without_figure_libraries():
    result = probe("./src/train.py", "./data/linear.csv", "simple", "--learning-rate", "0.1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: unrecognized arguments: --learning-rate 0.1"), result.stderr
    assert lines[-1] == "loaded: []"
