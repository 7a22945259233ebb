import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Headless: set before any test imports matplotlib.
os.environ["MPLBACKEND"] = "Agg"
# Run records go to a temporary folder, never into the chapter's runs/ (each test
# gets its own below; this one catches anything run outside a test).
os.environ["RUNS_DIR"] = tempfile.mkdtemp(prefix="runs-")
atexit.register(shutil.rmtree, os.environ["RUNS_DIR"], ignore_errors=True)

CHAPTER_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """This test's runs/ folder (booktools.records reads RUNS_DIR), also for the scripts it starts."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("RUNS_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def x_display():
    """A virtual X display (Xvfb) for the real-window tests; skips where there is none."""
    import subprocess
    import sys

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
