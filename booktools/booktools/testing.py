"""What the chapters' tests share: a virtual X display for the real-window tests, and a
script run after the reader's own edit (run_edited).

    from booktools.testing import x_display  # noqa: F401  (in a tests/conftest.py: a fixture)

Together with `python -m booktools.window_driver` (a script run in a real window).
"""
import os
import shutil
import subprocess
import sys

import pytest


@pytest.fixture(scope="session")
def x_display():
    """A virtual X display (Xvfb) for the real-window tests; skips where there is none."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb xauth)")
    if subprocess.run([sys.executable, "-c", "import tkinter"], capture_output=True).returncode:
        pytest.skip("this Python has no tkinter, so matplotlib cannot open a TkAgg window")
    # -displayfd: Xvfb picks a free display number and writes it to the pipe.
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1200x24",
                               "-nolisten", "tcp"], pass_fds=[write_end],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def run_edited(chapter_dir, folder, edits, script, *argv, timeout=300):
    """Copy the chapter's src/ (and data/) into folder, edit a script there as a reader would
    ([(file, old text, new text)], the first of each replaced), run one of its scripts as the reader runs it
    (python ./src/SCRIPT ...) and return the finished process (stdout, stderr as text)."""
    from pathlib import Path

    chapter_dir, folder = Path(chapter_dir), Path(folder)
    for part in ("src", "data"):
        if (chapter_dir / part).is_dir():
            shutil.copytree(chapter_dir / part, folder / part, ignore=shutil.ignore_patterns("__pycache__", "MNIST"))
    for name, old, new in edits:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "RUNS_DIR": str(folder / "runs")}
    return subprocess.run([sys.executable, f"./src/{script}", *map(str, argv)], cwd=folder, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)
