"""Small helpers shared by the scripts of this chapter: errors, seeding, device, plots."""

import argparse
import random
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of the usage dump
        self.exit(2, f"error: {message} (see --help)\n")


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


def add_common_flags(parser, device=True):
    """The flags every script of this chapter shares."""
    parser.add_argument("--data-dir", type=Path, default=CHAPTER_DIR / "data",
                        help="folder for MNIST (torchvision layout: <dir>/MNIST/raw/)")
    if device:
        parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                            help="where to compute; auto picks cuda, then mps, then cpu")
        parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same output)")
    parser.add_argument("--save", type=png_path, default=None, help="also write the figure to this PNG")
    parser.add_argument("--no-show", action="store_true", help="do not open a window")


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


def show_or_save(fig, save_path, no_show, default_name):
    """Save the figure when asked or when no window can open, then show it."""
    can_show = plt.get_backend().lower() not in NON_INTERACTIVE
    if save_path is None and not can_show:
        save_path = OUTPUT_DIR / default_name
    if save_path is not None:
        save_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_path, dpi=100)
        print(f"Saved figure to {save_path}", flush=True)
    if can_show and not no_show:
        plt.show()
    plt.close(fig)
