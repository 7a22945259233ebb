"""The command line around the book's code: flags, one-line errors, output cut short
(`| head`), seed, device and threads, the model summary, Ctrl-C, and the quick exit.

Importing this module installs the quiet end of output; every script imports it.
matplotlib and torch are imported inside the functions that need them: `--help` and a
mistyped flag answer without them.
"""
import argparse
import atexit
import functools
import os
import random
import sys
from pathlib import Path

import numpy as np


def _stop_quietly(kind, value, traceback):
    """Output cut short (`| head -n 1`): end without a traceback; other errors as usual."""
    if issubclass(kind, BrokenPipeError):  # the reader stopped reading
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

# Flags that change what is shown or where it goes, not what is learned: left out of figure
# titles and of "what differed" between runs. A script adds its own with parser.view_flags.
VIEW_FLAGS = {"help", "save", "no_show", "no_live", "gif", "compare", "compare_all"}


class HelpWithDefaults(argparse.HelpFormatter):
    """--help shows each flag's default: "(default: 40)", unless the help text says it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text or action.default is None or action.default is False  # (not 0: 0 == False)
                or action.default == argparse.SUPPRESS or not action.option_strings):
            return text
        return text + " (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors. script: the script's __file__; its chapter folder
    (the one above src/) holds outputs/ and runs/.

    parse_args also sets args.script (the file name), args.chapter_dir, args.argv (as
    typed, for the run record), and args.changed: the flags that change the run, as
    typed (["--epochs 2001", "--lr 0.1"]), for figure titles."""

    def __init__(self, script, **kwargs):
        script = Path(script).resolve()
        super().__init__(prog=script.name, formatter_class=HelpWithDefaults, **kwargs)
        self.script = script
        self.chapter_dir = script.parent.parent
        self.view_flags = set(VIEW_FLAGS)

    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")

    def parse_known_args(self, args=None, namespace=None):
        parsed, extra = super().parse_known_args(args, namespace)
        parsed.script = self.script.name
        parsed.chapter_dir = self.chapter_dir
        parsed.argv = list(sys.argv[1:] if args is None else args)
        parsed.view_flags = sorted(self.view_flags)
        parsed.changed = [flag_text(action, getattr(parsed, action.dest)) for action in self._actions
                          if action.option_strings and action.dest not in self.view_flags
                          and getattr(parsed, action.dest, action.default) != action.default]
        return parsed, extra


def flag_text(action, value):
    """How a flag would be typed: --augment, --epochs 100, --lr 0.1, --digits 4 9."""
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreConstAction)):
        return action.option_strings[0]
    if isinstance(value, (list, tuple)):
        value = " ".join(map(str, value))
    elif isinstance(value, float):
        value = f"{value:g}"
    return f"{action.option_strings[0]} {'all' if value is None else value}"


def fail(message):
    """One error line on stderr and exit status 2 (bad input, not a bug)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def first_line(error):
    """The first line of an exception's message (or its type), short enough for one error line."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]


def positive_int(text):
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """argparse type: a number greater than 0 (learning rates)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def png_path(text):
    """argparse type for --save: only .png, so a typo cannot overwrite the reader's other files."""
    path = Path(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return path


def gif_type(output_dir):
    """argparse type for --gif: checked before training, and never overwrites a non-GIF file.
    output_dir: the chapter's outputs/, made when the GIF is written."""
    def gif_path(text):
        path = Path(text)
        if path.suffix.lower() != ".gif":
            raise argparse.ArgumentTypeError(f"--gif needs a .gif file name, got {text!r}")
        folder = path.parent
        ours = folder.resolve() == output_dir.resolve()
        if not folder.is_dir() and not ours:
            raise argparse.ArgumentTypeError(f"folder {str(folder)!r} does not exist")
        if folder.is_dir() and not os.access(folder, os.W_OK):
            raise argparse.ArgumentTypeError(f"cannot write into folder {str(folder)!r}")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a folder")
        if path.exists() and not is_gif(path):
            raise argparse.ArgumentTypeError(f"{text!r} exists and is not a GIF; not overwriting it")
        return path
    return gif_path


def is_gif(path):
    try:
        with open(path, "rb") as file:
            return file.read(6) in (b"GIF87a", b"GIF89a")
    except OSError:
        return False


def add_figure_flags(parser, live=False):
    """--save and --no-show; for training scripts (live=True) also --no-live and --gif."""
    parser.add_argument("--save", type=png_path, metavar="PATH",
                        help="also write the figure to this .png file")
    parser.add_argument("--no-show", action="store_true",
                        help="do not open a window (the figure is still saved with --save)")
    if live:
        parser.add_argument("--no-live", action="store_true",
                            help="do not update the figure while training; show it at the end only")
        parser.add_argument("--gif", type=gif_type(parser.chapter_dir / "outputs"), metavar="PATH",
                            help="also write the training as an animated GIF (works without a window)")


def seed_everything(seed):
    """The same start every run (--seed): Python's, numpy's and torch's random numbers."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name="cpu"):
    """--device as a torch.device; auto picks cuda, then mps, then cpu. On the CPU, one
    thread: the book's models are small, and a second thread was 2-30x slower whenever
    another program used the CPU (measured)."""
    import torch

    has_mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        fail("--device cuda: no CUDA GPU is available here (try --device auto)")
    if name == "mps" and not has_mps:
        fail("--device mps: Apple's MPS is not available here (try --device auto)")
    if name == "cpu":
        torch.set_num_threads(1)
    return torch.device(name)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def print_model(model):
    """The layers, and the parameter count (the book works one out by hand: 17,025)."""
    print(model)
    print(f"Parameters: {count_parameters(model):,}", flush=True)


def keep_results_on_ctrl_c(train_model):
    """Decorator: Ctrl-C stops training, and the script goes on to its figures with what
    was learned. train_model's last argument is what watches the loop (a LiveView or a
    chapter's Watch): it says how many epochs ran, and its state is returned."""
    @functools.wraps(train_model)
    def run(*args):
        watcher = args[-1]
        try:
            return train_model(*args)
        except KeyboardInterrupt:
            print(f"Interrupted after {watcher.epochs_done} epochs: showing what was learned so far.",
                  flush=True)
            return watcher.state
    return run


def exit_now():
    """End the process as soon as a training script is done. Python's clean-up at exit
    takes about a second once torch has loaded its compiler modules, and a finished run
    has nothing left to clean up: every file is written."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # output cut short (`| head`): end as the excepthook does
        os._exit(1)
    os._exit(0)
