"""The command line around the article's code: flags, one-line errors, output cut short,
the torch set-up (seed, one thread) and the model summary.

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

# Flags that change what is drawn or where it goes, not the run: left out of the figure title.
NOT_RUN_FLAGS = {"help", "save", "no_show", "no_live", "gif", "predict", "compare"}


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
        """Also keeps the flags that differ from their defaults (args.changed), for the titles,
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
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def png_path(text):
    # Only .png: a typo in --save must never overwrite one of the reader's other files.
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return Path(text)


def gif_path(text):
    """argparse type for --gif: checked before training, and never overwrites a non-GIF file."""
    path = Path(text)
    if path.suffix.lower() != ".gif":
        raise argparse.ArgumentTypeError(f"--gif needs a .gif file name, got {text!r}")
    folder = path.parent
    if not folder.is_dir() and folder.resolve() == OUTPUT_DIR:
        OUTPUT_DIR.mkdir()  # the chapter's own outputs/ folder (--gif outputs/train.gif)
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write into folder {str(folder)!r}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder")
    if path.exists() and not is_gif(path):
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a GIF; not overwriting it")
    return path


def is_gif(path):
    try:
        with open(path, "rb") as file:
            return file.read(6) in (b"GIF87a", b"GIF89a")
    except OSError:
        return False


def add_figure_flags(parser, live=False):
    parser.add_argument("--save", type=png_path, metavar="PATH",
                        help="also write the figure to this .png file")
    parser.add_argument("--no-show", action="store_true",
                        help="do not open a window (the figure is still saved with --save)")
    if live:
        parser.add_argument("--no-live", action="store_true",
                            help="do not update the figure while training; show it at the end only")
        parser.add_argument("--gif", type=gif_path, metavar="PATH",
                            help="also write the training as an animated GIF (works without a window)")


def set_up_torch(seed):
    """Seed torch, numpy and random; one CPU thread."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # These tensors are tiny: extra CPU threads only add waiting (10x slower on a busy machine).
    torch.set_num_threads(1)


def print_model(model, train_labels, val_labels):
    print(model)
    print(f"Parameters: {sum(p.numel() for p in model.parameters()):,}")
    print(f"Training points: {len(train_labels)}, validation points: {len(val_labels)}")
