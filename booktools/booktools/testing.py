"""What the chapters' tests share: a virtual X display for the real-window tests.

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
