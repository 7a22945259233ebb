import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from booktools.testing import x_display  # noqa: F401  (a fixture)

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
    from booktools.torch_setup import flush_denormals, one_cpu_thread, seed_everything

    seed_everything(seed)
    one_cpu_thread()
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
