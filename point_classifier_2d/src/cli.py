"""The command line around the book's code: flags, one-line errors, output cut short,
the seed and speed settings, the model summary, and the quick exit.

matplotlib is not imported here: `--help` and a mistyped flag answer without it.
"""
import argparse
import atexit
import os
import random
import sys
from pathlib import Path

import numpy as np

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"


def _stop_quietly(kind, value, traceback):
    if issubclass(kind, BrokenPipeError):  # the reader stopped reading (`| head -n 1`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush
        return
    sys.__excepthook__(kind, value, traceback)


@atexit.register
def _flush_quietly():  # output still buffered at exit would hit the closed pipe
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


sys.excepthook = _stop_quietly
if hasattr(sys.stdout, "reconfigure"):
    sys.stdout.reconfigure(line_buffering=True)  # each "Epoch ..." line shows at once, even in a pipe


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")

    def parse_args(self, args=None, namespace=None):
        """Also sets args.changed: the flags given other values than their defaults,
        as typed ("--epochs 2001 --lr 0.1"), for the figure titles (not --compare: it
        changes what is drawn, not what is learned); and args.argv, for the run record."""
        parsed = super().parse_args(args, namespace)
        parsed.argv = list(sys.argv[1:] if args is None else args)
        parsed.changed = " ".join(
            f"{action.option_strings[-1]} {getattr(parsed, action.dest)}"
            for action in self._actions
            if action.option_strings and type(action.default) in (int, float)
            and getattr(parsed, action.dest) != action.default and action.dest != "compare")
        return parsed


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def png_path(text):
    # Only .png: a typo in --save must never overwrite the reader's CSV.
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return Path(text)


def gif_path(text):
    """argparse type for --gif: checked before training, and never overwrites a non-GIF file."""
    path = Path(text)
    if path.suffix.lower() != ".gif":
        raise argparse.ArgumentTypeError(f"--gif needs a .gif file name, got {text!r}")
    folder = path.parent
    if folder.resolve() == OUTPUT_DIR:
        OUTPUT_DIR.mkdir(exist_ok=True)  # the chapter's own folder for what the scripts write
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


def set_seed_and_speed(seed):
    """The same start every run (--seed), and two speed settings that do not change
    what is learned."""
    import torch  # here, not at the top: dump_points.py does not need torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # One thread: a second one gains little on 200 points and slows training down
    # a lot whenever another program is using the CPU.
    torch.set_num_threads(1)
    # Treat tiny "denormal" floats as 0; the CPU computes them very slowly.
    # numpy 1.x (an Intel Mac's, with torch 2.2) works out its float limits on first use
    # and warns on stderr when denormals are flushed by then: have it do so first.
    for kind in (np.float16, np.float32, np.float64, np.longdouble):
        np.finfo(kind)
    torch.set_flush_denormal(True)


def fused_adam():
    """`fused=` for Adam: True (one call updates every parameter; faster) where torch has
    a fused Adam for the CPU (2.4 and later), else None (torch's usual Adam). An Intel
    Mac's newest torch is 2.2.2, which has the fused kernel only for CUDA."""
    import torch

    try:
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)
    except RuntimeError:  # torch < 2.4: "`fused=True` requires all the params to be ... CUDA"
        return None
    return True


def exit_now():
    """End the process as soon as train.py is done. Python's clean-up at exit takes
    about a second once torch has loaded its compiler modules (creating the optimizer
    does), and a finished run has nothing left to clean up: every file is written."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # output cut short (`| head`): end as the excepthook does
        os._exit(1)
    os._exit(0)


def print_model(model):
    """The layers, and the parameter count the book works out by hand (17,025)."""
    print(model)
    print(f"Parameters: {sum(p.numel() for p in model.parameters()):,}")
