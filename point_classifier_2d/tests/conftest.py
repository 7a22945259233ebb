import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

# Headless: figures are saved, never shown. Set before matplotlib is imported.
os.environ["MPLBACKEND"] = "Agg"
# Run records go to a temporary folder, never into the chapter's runs/ (each test
# gets its own below; this one catches anything run outside a test).
os.environ["RUNS_DIR"] = tempfile.mkdtemp(prefix="runs-")
atexit.register(shutil.rmtree, os.environ["RUNS_DIR"], ignore_errors=True)

CHAPTER_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = CHAPTER_DIR / "data"


def set_up_like_train(seed):
    """The torch set-up of train.py's parse_args, for tests that call its steps one by one."""
    import torch

    from booktools.cli import flush_denormals, pick_device, seed_everything

    seed_everything(seed)
    pick_device("cpu")
    flush_denormals()


def epoch_losses(output):
    """The (epoch, loss) pairs of the 'Epoch N, Loss: x' lines."""
    return [(int(e), float(x)) for e, x in re.findall(r"^Epoch (\d+), Loss: (\S+)$", output, re.M)]


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """This test's runs/ folder (booktools.records reads RUNS_DIR), also for the scripts it starts."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("RUNS_DIR", str(folder))
    return folder


@pytest.fixture
def run_main(capsys):
    """Call a script's main() in-process; return (exit code, stdout, stderr)."""
    def run(main, *argv):
        try:
            main(list(argv))
            code = 0
        except SystemExit as exit:
            code = exit.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


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
