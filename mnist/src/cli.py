"""The command line around the book's code: flags (with their defaults in --help), one-line
errors, output cut short (| head), seed, device and threads, the model summary, Ctrl-C, and the
quick exit. Every script of this chapter imports it (that installs the quiet end of output).

matplotlib, torchvision and PIL are not imported here: --help and a mistyped flag answer
without them (about 0.6 s).
"""

import argparse
import atexit
import functools
import os
import random
import sys
from pathlib import Path

import numpy as np
import torch

from records import add_compare_flags


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


sys.excepthook = _stop_quietly  # installed by `import cli`: every script of this chapter imports it

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"


# Flags that do not change what is learned: left out of figure titles and saved model files.
NOT_A_SETTING = {"help", "data_dir", "device", "save", "no_show", "no_live", "gif", "save_model", "mistakes",
                 "model", "image", "count", "layers", "compare"}


class HelpWithDefaults(argparse.HelpFormatter):
    """--help shows each flag's default, as in the other chapters: "(default: 40)"."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text or action.default is None or action.default is False
                or action.default == argparse.SUPPRESS or not action.option_strings):
            return text
        return text + " (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs):
        super().__init__(formatter_class=HelpWithDefaults, **kwargs)

    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")

    def parse_known_args(self, args=None, namespace=None):
        """Also sets args.changed: the flags that change the run, as typed (for titles, model files),
        and args.argv, for the run record."""
        parsed, extra = super().parse_known_args(args, namespace)
        parsed.argv = list(sys.argv[1:] if args is None else args)
        parsed.changed = [flag_text(action, getattr(parsed, action.dest)) for action in self._actions
                          if action.option_strings and action.dest not in NOT_A_SETTING
                          and getattr(parsed, action.dest, action.default) != action.default]
        return parsed, extra


def flag_text(action, value):
    """How a flag would be typed: --augment, --epochs 100, --train-size all, --digits 4 9."""
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreConstAction)):
        return action.option_strings[0]
    if isinstance(value, (list, tuple)):
        value = " ".join(map(str, value))
    return f"{action.option_strings[0]} {'all' if value is None else value}"


def fail(message):
    """Print one error line and stop with exit status 2 (bad input, not a bug)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def first_line(error):
    """The first line of an exception's message (or its type), short enough for one error line."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]


def positive_int(text):
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """argparse type: a number greater than 0 (learning rates)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def png_path(text):
    """argparse type for --save: only .png, so a typo cannot overwrite other files."""
    path = Path(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return path


def gif_path(text):
    """argparse type for --gif: checked before training, and never overwrites a non-GIF file."""
    path = Path(text)
    if path.suffix.lower() != ".gif":
        raise argparse.ArgumentTypeError(f"--gif needs a .gif file name, got {text!r}")
    folder = path.parent
    ours = folder.resolve() == OUTPUT_DIR.resolve()  # the chapter's outputs/: made when the GIF is written
    if not folder.is_dir() and not ours:
        raise argparse.ArgumentTypeError(f"folder {str(folder)!r} does not exist")
    if folder.is_dir() and not os.access(folder, os.W_OK):
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


def add_common_flags(parser, device=True, live=False):
    """The flags every script of this chapter shares."""
    parser.add_argument("--data-dir", type=Path, default=CHAPTER_DIR / "data",
                        help="folder holding MNIST/raw/ (or that MNIST or raw folder itself); "
                             "default: data/ of this chapter, where MNIST is downloaded")
    if device:
        parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                            help="where to compute; auto picks cuda, then mps, then cpu")
        parser.add_argument("--seed", type=int, default=0,
                            help="random seed (same seed, same output on the same machine)")
    add_figure_flags(parser, live)


def add_figure_flags(parser, live=False):
    parser.add_argument("--save", type=png_path, default=None, help="also write the figure to this PNG")
    parser.add_argument("--no-show", action="store_true", help="do not open a window")
    if live:
        parser.add_argument("--no-live", action="store_true",
                            help="do not update the figure while training; show it at the end only")
        parser.add_argument("--gif", type=gif_path, metavar="PATH",
                            help="also write the training as an animated GIF (works without a window)")


def exit_now():
    """End the process as soon as train.py is done. Python's clean-up at exit takes
    about a second once torch has loaded its compiler modules (torchvision does), and a
    finished run has nothing left to clean up: every file is written."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # output cut short (`| head`): end as the excepthook does
        os._exit(1)
    os._exit(0)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name):
    """Turn --device into a torch.device; auto prefers cuda, then mps, then cpu."""
    has_mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        fail("--device cuda: no CUDA GPU is available here (try --device auto)")
    if name == "mps" and not has_mps:
        fail("--device mps: Apple's MPS is not available here (try --device auto)")
    if name == "cpu":
        torch.set_num_threads(1)  # tiny models: 2 threads were 2-30x slower whenever the CPU was shared (measured)
    return torch.device(name)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())



def print_model(model):
    print(model)
    print(f"Parameters: {count_parameters(model):,}", flush=True)


def keep_results_on_ctrl_c(train_model):
    """Decorator: Ctrl-C stops training and returns the curves so far (the lists the live
    view was last given), so the figures still show what was learned."""
    @functools.wraps(train_model)
    def run(*args):
        live = args[-1]
        try:
            return train_model(*args)
        except KeyboardInterrupt:
            curves = live.state or ([], [], [])
            print(f"Interrupted after {len(curves[-1])} epochs; showing what was learned so far.", flush=True)
            return curves
    return run


# train.py and train_with_linear.py share fixed axes, so their two figures can be laid side by side:

def training_parser(description, epochs, lr, batch_size, model_file):
    parser = Parser(description=description)
    parser.add_argument("--epochs", type=positive_int, default=epochs, help="passes over the training images")
    parser.add_argument("--lr", type=positive_float, default=lr, help="learning rate")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size, help="images per update")
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam",
                        help="adam, or plain sgd as in the lecture's first try")
    parser.add_argument("--no-schedule", action="store_true",
                        help="keep the learning rate constant instead of lowering it epoch by epoch")
    parser.add_argument("--augment", action="store_true",
                        help="randomly rotate, shift, zoom, thicken or blur every training batch")
    parser.add_argument("--subset", type=positive_int, default=None,
                        help="train on only N images first (a quick check that learning works)")
    parser.add_argument("--save-model", type=model_path, default=model_file,
                        help="where to write the trained model (.pth)")
    add_common_flags(parser, live=True)
    add_compare_flags(parser)
    return parser


def model_path(text):
    """argparse type for --save-model: only .pth/.pt, so a typo cannot overwrite other files."""
    path = Path(text)
    if path.suffix.lower() not in (".pth", ".pt"):
        raise argparse.ArgumentTypeError(f"--save-model needs a .pth file name, got {text!r}")
    return path

