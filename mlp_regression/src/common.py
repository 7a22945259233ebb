"""Plumbing for the scripts of this chapter: one-line errors, flags, reading the CSV,
watching the training (printed losses, Ctrl-C), and showing or saving the figure.

The scripts (basics.py, train.py) import from here, so each of them reads top to bottom
as the article's pieces.
"""

import argparse
import atexit
import csv
import math
import os
import random
import sys
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


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


def read_table(path, columns, min_rows):
    """The named columns of a CSV file as a float array (rows x columns), in that order.
    A bad file ends the run with one line on stderr (exit 2)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        fail(f"data file not found: {path}")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {path}: {e}")
    if not any(cell.strip() for row in rows for cell in row):
        fail(f"{path} is empty")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in columns if name not in header]
    if missing:
        fail(f"{path}: missing column(s) {', '.join(missing)} (need {','.join(columns)})")
    indices = [header.index(name) for name in columns]
    values = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # tolerate blank lines, e.g. at the end of the file
        record = []
        for name, col in zip(columns, indices):
            cell = row[col].strip() if col < len(row) else ""
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                fail(f"{path} line {line_no}: {name} is not a number: {cell!r}")
            record.append(number)
        values.append(record)
    if len(values) < min_rows:
        fail(f"{path}: only {len(values)} data rows, need at least {min_rows}")
    return np.array(values, dtype=np.float64)


class Watch:
    """Called by train_model after each epoch: the MSE on all training and all test rows
    (standardized rent), printed at epoch 1 and every tenth of the run, kept for the figure."""

    def __init__(self, model, data, epochs):
        self.model, self.data = model, data
        self.print_every = max(1, epochs // 10)
        self.history = {"epoch": [], "train": [], "test": []}

    def __call__(self, epoch):
        train_loss = self.loss("train")
        test_loss = self.loss("test")
        if not math.isfinite(train_loss):
            fail(f"training diverged at epoch {epoch} (loss is {train_loss}); try a smaller --lr")
        self.history["epoch"].append(epoch)
        self.history["train"].append(train_loss)
        self.history["test"].append(test_loss)
        if epoch == 1 or epoch % self.print_every == 0:
            print(f"Epoch {epoch}, Train Loss: {train_loss:.4f}, Test Loss: {test_loss:.4f}")

    def loss(self, part):
        with torch.no_grad():
            y = self.model(self.data[f"X_{part}"])
            return torch.nn.functional.mse_loss(y, self.data[f"t_{part}"]).item()


@contextmanager
def stop_on_ctrl_c(watch):
    """Ctrl-C ends the training early; the script goes on with what was learned."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"Interrupted after {len(watch.history['epoch'])} epochs; showing the results so far.")


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


def show_results(history, results, save_path, no_show):
    fig, (ax_loss, ax_pred) = plt.subplots(1, 2, figsize=(11, 4.5))
    ax_loss.plot(history["epoch"], history["train"], color="blue", label="train")
    ax_loss.plot(history["epoch"], history["test"], color="red", label="test")
    ax_loss.set_yscale("log")
    ax_loss.set_title("Learning curves")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("MSE loss (standardized rent)")
    ax_loss.legend()

    actual = results["actual"]
    low = min(actual.min(), results["mlp"].min(), results["linear"].min())
    high = max(actual.max(), results["mlp"].max(), results["linear"].max())
    ax_pred.plot([low, high], [low, high], color="gray", linestyle="--", label="y = x (perfect)")
    ax_pred.scatter(actual, results["linear"], s=18, facecolors="none", edgecolors="blue",
                    alpha=0.6, label="linear regression")
    ax_pred.scatter(actual, results["mlp"], s=18, color="red", alpha=0.8, label="MLP")
    ax_pred.set_title("Predicted vs actual rent (test set)")
    ax_pred.set_xlabel("actual rent (10,000 yen / month)")
    ax_pred.set_ylabel("predicted rent (10,000 yen / month)")
    ax_pred.set_aspect("equal")
    ax_pred.legend()
    fig.tight_layout()
    show_or_save(fig, save_path, no_show, "mlp_regression.png")
