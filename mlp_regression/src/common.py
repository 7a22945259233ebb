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

import numpy as np
import torch

# matplotlib is imported inside the functions that draw: --help and a mistyped flag then
# answer without loading it (about 0.5 s).

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}
# Flags that change what is printed or where the figure goes, not the run: not in its title.
NOT_RUN_FLAGS = {"help", "save", "no_show", "predict"}
# One meaning per colour in the whole figure.
TRAIN_COLOR, TEST_COLOR, LINEAR_COLOR = "tab:blue", "tab:orange", "tab:gray"


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
        """Also keeps the flags that differ from their defaults (args.changed), for the title."""
        parsed = super().parse_args(args, namespace)
        parsed.changed = [f"{action.option_strings[0]} {value:g}"
                          if isinstance(value, float) else f"{action.option_strings[0]} {value}"
                          for action in self._actions
                          if action.dest not in NOT_RUN_FLAGS
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
    first = next(i for i, row in enumerate(rows) if any(cell.strip() for cell in row))
    header = [name.strip() for name in rows[first]]
    if any(is_number(cell) for cell in header):  # no header line: the columns in their order
        if len(header) != len(columns):
            fail(f"{path}: no header line, so each line needs the {len(columns)} columns "
                 f"{','.join(columns)} in this order; line {first + 1} has {len(header)}")
        header, first = list(columns), first - 1
    missing = [name for name in columns if name not in header]
    if missing:
        fail(f"{path}: missing column(s) {', '.join(missing)} (need {','.join(columns)})")
    indices = [header.index(name) for name in columns]
    values = []
    for line_no, row in enumerate(rows[first + 1:], start=first + 2):
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


def is_number(cell):
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


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
    import matplotlib.pyplot as plt
    return plt.get_backend().lower() not in NON_INTERACTIVE


def show_or_save(fig, save_path, no_show, default_name):
    """Save the figure when asked or when no window can open, then show it."""
    import matplotlib.pyplot as plt
    if save_path is None and not can_show():
        save_path = OUTPUT_DIR / default_name
    if save_path is not None:
        save_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_path, dpi=100)
        print(f"Saved figure to {save_path}", flush=True)
    if can_show() and not no_show:
        plt.show()
    plt.close(fig)


def show_results(history, results, args):
    """Learning curves (log scale, labelled in plain numbers) and predicted vs actual rent.
    Blue: the MLP on the training rows; orange: the MLP on the test rows; gray: linear regression."""
    import matplotlib.pyplot as plt
    fig, (ax_loss, ax_pred) = plt.subplots(1, 2, figsize=(11, 5))
    fig.suptitle(" ".join(["train.py", *args.changed]) if args.changed
                 else "train.py (default settings)")
    ax_loss.plot(history["epoch"], history["train"], color=TRAIN_COLOR, label="MLP, training rows")
    ax_loss.plot(history["epoch"], history["test"], color=TEST_COLOR, label="MLP, test rows")
    if history["epoch"]:
        label_last_values(ax_loss, history)
    log_axis_in_plain_numbers(ax_loss)
    ax_loss.set_title(f"Learning curves (3-{args.hidden}-1 MLP, SGD lr={args.lr:g})")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("MSE loss (standardized rent, log scale)")
    ax_loss.legend()

    actual, r2 = results["actual"], results["r2"]
    low = min(actual.min(), results["mlp"].min(), results["linear"].min())
    high = max(actual.max(), results["mlp"].max(), results["linear"].max())
    ax_pred.plot([low, high], [low, high], color="black", linestyle="--", linewidth=1,
                 label="y = x (perfect)")
    ax_pred.scatter(actual, results["linear"], s=18, facecolors="none", edgecolors=LINEAR_COLOR,
                    label=f"linear regression ($R^2$ = {r2['linear']:.2f})")
    ax_pred.scatter(actual, results["mlp"], s=18, color=TEST_COLOR, alpha=0.9,
                    label=f"MLP ($R^2$ = {r2['mlp']:.2f})")
    ax_pred.set_title("Predicted vs actual rent (test rows)")
    ax_pred.set_xlabel("actual rent (10,000 yen / month)")
    ax_pred.set_ylabel("predicted rent (10,000 yen / month)")
    ax_pred.set_aspect("equal")
    ax_pred.legend(loc="upper left")
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, "mlp_regression.png")


def label_last_values(ax, history):
    """The last training and test loss written beside the curves' ends (the higher one above)."""
    last = {"train": history["train"][-1], "test": history["test"][-1]}
    higher = max(last, key=last.get)
    for part, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR)):
        ax.annotate(f"{last[part]:.4f}", (history["epoch"][-1], last[part]), color=color,
                    xytext=(-4, 4 if part == higher else -4), textcoords="offset points",
                    ha="right", va="bottom" if part == higher else "top", fontsize="small")


def log_axis_in_plain_numbers(ax):
    """Log scale with ticks at 1, 2, 3, 5, 7 times the powers of ten, written 0.03, not 3e-2."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
    ax.set_yscale("log")
    ticks = [m * 10.0 ** e for e in range(-5, 4) for m in (1, 2, 3, 5, 7)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="major", axis="y", alpha=0.3)
