import re
from pathlib import Path

from booktools.testing import headless_with_temporary_runs, run_main, runs_dir, x_display  # noqa: F401 (fixtures)

headless_with_temporary_runs()

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
