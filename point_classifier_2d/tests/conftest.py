import os
import re
from pathlib import Path

import pytest

# Headless: figures are saved, never shown. Set before matplotlib is imported.
os.environ["MPLBACKEND"] = "Agg"

CHAPTER_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = CHAPTER_DIR / "data"


def epoch_losses(output):
    """The (epoch, loss) pairs of the 'Epoch N, Loss: x' lines."""
    return [(int(e), float(x)) for e, x in re.findall(r"^Epoch (\d+), Loss: (\S+)$", output, re.M)]


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
