"""Plumbing for the scripts of this chapter: one-line errors, flags, and showing or saving figures."""

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


def can_show():
    """True when matplotlib's backend can open a window (not Agg: SSH, CI, MPLBACKEND=Agg)."""
    return plt.get_backend().lower() not in NON_INTERACTIVE


def show_or_save(fig, save_path, no_show, default_name):
    """Save the figure when asked or when no window can open, then show it."""
    if save_path is None and not can_show():
        save_path = OUTPUT_DIR / default_name
    if save_path is not None:
        save_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_path, dpi=100)
        print(f"Saved figure to {save_path}", flush=True)
    if can_show() and not no_show:
        plt.show()
    plt.close(fig)
