"""The command line around the article's code: flags, one-line errors, output cut short,
and the torch set-up (seeds, one thread).

matplotlib is not imported here: `--help` and a mistyped flag answer without it.
"""

import argparse
import atexit
import os
import random
import sys
from pathlib import Path

import numpy as np
import torch

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"

# Flags that change what is printed or where the figure goes, not the run: not in its title.
NOT_RUN_FLAGS = {"help", "save", "no_show", "predict", "compare", "compare_all"}


def _stop_quietly(kind, value, traceback):
    if issubclass(kind, BrokenPipeError):  # the reader stopped reading (`| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush
        return
    sys.__excepthook__(kind, value, traceback)


@atexit.register
def _flush_quietly():  # unflushed output would hit the closed pipe at exit
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# Installed on import: every script of the chapter imports this module.
sys.excepthook = _stop_quietly
# Each printed line appears at once, also in a pipe (the scripts' print() needs no flush=True).
if hasattr(sys.stdout, "reconfigure"):
    sys.stdout.reconfigure(line_buffering=True)


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")

    def parse_args(self, args=None, namespace=None):
        """Also keeps the flags that differ from their defaults (args.changed), for the title,
        and the arguments as typed (args.argv), for the run record."""
        parsed = super().parse_args(args, namespace)
        parsed.argv = list(sys.argv[1:] if args is None else args)
        parsed.changed = [f"{action.option_strings[0]} {value:g}"
                          if isinstance(value, float) else f"{action.option_strings[0]} {value}"
                          for action in self._actions
                          if action.option_strings and action.dest not in NOT_RUN_FLAGS
                          and (value := getattr(parsed, action.dest)) != action.default]
        return parsed


def fail(message):
    """Print one error line and stop with exit status 2 (bad input, not a bug)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def png_path(text):
    """argparse type for --save: only .png, so a typo cannot overwrite the reader's CSV."""
    path = Path(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return path


def add_figure_flags(parser):
    parser.add_argument("--save", type=png_path, metavar="PATH", help="also write the figure to this .png file")
    parser.add_argument("--no-show", action="store_true", help="do not open a window")


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def set_up_torch():
    # Tensors this small: extra CPU threads cost more than they save.
    torch.set_num_threads(1)
