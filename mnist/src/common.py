"""Helpers shared by the scripts of this chapter: errors, flags, seeding, device, figures
(show or save, live updates while training, animated GIF), what train.py shows beside the
book's code (learning curves, misclassified images), and a quiet end when output is cut short."""

import argparse
import atexit
import functools
import math
import os
import random
import sys
from pathlib import Path

import numpy as np
import torch

# matplotlib and PIL are imported inside the functions that draw: --help and a mistyped flag
# answer without loading them (about 0.6 s).


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


sys.excepthook = _stop_quietly  # installed by `import common`: every script of this chapter imports it

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
# Backends that cannot open a window (SSH, CI, MPLBACKEND=Agg): save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}

GIF_DPI = 100        # GIF frames at the PNG's size: its text is as readable as the PNG's
GIF_FRAME_MS = 150   # how long each GIF frame is shown
GIF_HOLD_MS = 2000   # ... and the last one, so the result can be looked at


# Flags that do not change what is learned: left out of figure titles and saved model files.
NOT_A_SETTING = {"help", "data_dir", "device", "save", "no_show", "no_live", "gif", "save_model", "mistakes", "layers",
                 "model", "image", "count"}


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
        """Also sets args.changed: the flags that change the run, as typed (for titles, model files)."""
        parsed, extra = super().parse_known_args(args, namespace)
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


def can_show():
    """True when matplotlib can open a window here (not SSH, CI or MPLBACKEND=Agg)."""
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


def frame_epochs(epochs, frames=48):
    """The epochs to draw: every epoch of a short run; for a long one, geometrically
    spaced (0, 1, 2, 3, 5, 8, ...) so the early, fast changes are seen, and the last."""
    if epochs <= frames:
        return list(range(epochs))
    spaced = np.geomspace(1, epochs - 1, frames).astype(int)
    return sorted({0, epochs - 1, *spaced.tolist()})


class LiveView:
    """Redraws a figure while training runs: in a window, into a GIF, or both.

        live = LiveView(fig, redraw, epochs, window=True, gif=None)
        for epoch in range(epochs):
            ...
            live.update(epoch, losses)   # calls redraw(epoch, losses) at frame_epochs() only
        live.finish()                    # writes the GIF and closes the figure

    redraw() changes only what moves (line data, title text) and returns those artists.
    Only they are drawn again over a saved copy of the rest of the figure ("blitting"),
    which is about ten times faster than drawing everything. LiveView() does nothing.
    """

    def __init__(self, fig=None, redraw=None, epochs=0, window=False, gif=None):
        import matplotlib.pyplot as plt
        self.fig, self.redraw = fig, redraw
        self.window, self.gif = window, gif
        self.schedule = set(frame_epochs(epochs))
        self.background, self.layout = None, None
        self.frames = []
        self.epoch, self.state, self.drawn = None, (), None
        if fig is None:
            self.window, self.gif = False, None
        elif window:
            fig.canvas.mpl_connect("close_event", self.window_closed)
            fig.canvas.mpl_connect("resize_event", self.forget_background)
            plt.show(block=False)
            fig.canvas.flush_events()  # the window appears now, not after the first epoch
        else:
            plt.close(fig)  # never a window: draw off-screen only
            self.draw_offscreen()

    def update(self, epoch, *state):
        self.epoch, self.state = epoch, state
        if epoch in self.schedule and (self.window or self.gif is not None):
            self.draw_frame()

    def finish(self):
        """Draw the last epoch if it was not drawn (Ctrl-C), write the GIF, close the figure."""
        import matplotlib.pyplot as plt
        if self.fig is None:
            return
        if self.epoch is not None and self.drawn != self.epoch and (self.window or self.gif):
            self.draw_frame()
        if self.gif is not None and self.frames:
            save_gif(self.frames, self.gif)
            print(f"Saved animation to {self.gif}", flush=True)
        plt.close(self.fig)

    def draw_frame(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        if not self.window and type(self.fig.canvas) is not FigureCanvasAgg:
            self.draw_offscreen()  # the window was closed: the GIF goes on without it
        fig, canvas = self.fig, self.fig.canvas
        artists = self.redraw(self.epoch, *self.state)
        for artist in artists:
            artist.set_animated(True)  # left out of full redraws: drawn by hand below
        layout = [(ax.get_position().bounds, ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
        if self.background is None or layout != self.layout or self.epoch == max(self.schedule):
            # First frame, window resized, an axis range changed, or the last frame (the final
            # figure: its legends are placed for the whole curves): draw it all once.
            canvas.draw()
            self.background = canvas.copy_from_bbox(fig.bbox)
            self.layout = layout
        else:
            canvas.restore_region(self.background)
        for artist in artists:
            fig.draw_artist(artist)
        self.drawn = self.epoch
        if self.gif is not None:
            self.frames.append(self.capture())
        if self.window:
            canvas.blit(fig.bbox)
            canvas.flush_events()  # lets the window repaint (and notice a close)

    def capture(self):
        from PIL import Image
        frame = Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())).convert("RGB")
        width, height = self.fig.get_size_inches() * GIF_DPI
        if frame.width != round(width):  # a window's canvas: shrink to the GIF size
            frame = frame.resize((round(width), round(height)), Image.Resampling.BILINEAR)
        return frame

    def draw_offscreen(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(self.fig)
        self.fig.set_dpi(GIF_DPI)
        self.background = None

    def window_closed(self, event):
        self.window = False  # closing the window stops the drawing, not the training

    def forget_background(self, event):
        self.background = None


def save_gif(frames, path):
    """A looping GIF from RGB frames; the last frame is held a while."""
    from PIL import Image
    # GIF has 256 colours: each frame gets its own palette (a palette shared by all frames turned
    # white into light grey). FASTOCTREE: 5x faster than MEDIANCUT, colours within 1-2 levels.
    images = [frame.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
              for frame in frames]
    durations = [GIF_FRAME_MS] * (len(images) - 1) + [GIF_HOLD_MS]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)


# --- train.py and train_with_linear.py (4 vs 9): what they show beside the book's code ---

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
# accuracy from 0.5 (guessing) to 1, losses from 0.001 to 1 (a decade more only if a curve needs it).
ACCURACY_RANGE = (0.5, 1.01)


def curves_title(args):
    """The figure title, with every flag that changed the run (so a figure says how it was made)."""
    title = f"4 vs 9 ({args.name}.py): learning curves"
    return title + (f"\n{', '.join(args.changed)}" if args.changed else "")


def plot_curves(train_losses, test_losses, test_accuracies, args):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, MultipleLocator, NullFormatter

    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(train_losses, color="blue", label="Train Loss")
    ax.plot(test_losses, color="green", label="Test Loss")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss (binary cross-entropy, log scale)")
    ax.set_yscale("log")  # on a linear scale the late rise of the test loss is invisible
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))  # 0.001, 0.002, 0.005, 0.01 ... labelled
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax2 = ax.twinx()  # accuracy lives on its own scale
    ax2.plot(test_accuracies, color="red", label="Test Accuracy")
    ax2.set_ylabel("Test Accuracy (0.5 = guessing)")
    ax2.yaxis.set_major_locator(MultipleLocator(0.1))
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower left")
    ax.set_title(curves_title(args))
    set_curve_ranges(ax, ax2, train_losses + test_losses, test_accuracies, args.epochs)
    if test_accuracies:
        label_values(ax, ax2, train_losses, test_losses, test_accuracies)
    return fig


def set_curve_ranges(ax, ax2, losses, accuracies, epochs):
    """The fixed ranges: the final figure and every frame of the live view share them."""
    last = max(epochs - 1, 1)
    ax.set_xlim(-0.05 * last, 1.14 * last)  # room on the right for the last values
    ax.set_ylim(log_range(losses, decades=3))
    low = min([ACCURACY_RANGE[0]] + [math.floor(10 * a) / 10 for a in accuracies if math.isfinite(a)])
    ax2.set_ylim(low, ACCURACY_RANGE[1])


def label_values(ax, ax2, train_losses, test_losses, test_accuracies):
    """The numbers the README quotes, written on the figure: the lowest test loss and the last values."""
    best = min(range(len(test_losses)), key=test_losses.__getitem__)
    last = len(test_losses) - 1
    right = {"fontsize": 9, "textcoords": "offset points", "xytext": (4, 0), "va": "center"}
    return [
        ax.annotate(f"lowest {test_losses[best]:.4f} (epoch {best})", (best, test_losses[best]), xytext=(0, 26),
                    textcoords="offset points", ha="center", fontsize=9, color="green",
                    arrowprops={"arrowstyle": "->", "color": "green", "shrinkB": 1}),
        ax.annotate(f"{test_losses[last]:.4f}", (last, test_losses[last]), color="green", **right),
        ax.annotate(f"{train_losses[last]:.4f}", (last, train_losses[last]), color="blue", **right),
        ax2.annotate(f"{test_accuracies[last]:.4f}", (last, test_accuracies[last]), color="red", **right),
    ]


def show_curves(train_losses, test_losses, test_accuracies, args):
    fig = plot_curves(train_losses, test_losses, test_accuracies, args)
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, f"{args.name}.png")


def live_curves(args):
    """The figure of show_curves, its curves growing epoch by epoch (in a window and/or a GIF).
    Its axes are the final figure's from the first frame to the last (they grow only if a curve
    leaves them), so the animation ends on the final figure without a jump."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig = plot_curves([], [], [], args)
    ax, ax2 = fig.axes
    title = ax.get_title()
    fig.tight_layout()

    def redraw(epoch, train_losses, test_losses, test_accuracies):
        train_line, test_line, accuracy_line = ax.get_lines() + ax2.get_lines()
        for line, values in [(train_line, train_losses), (test_line, test_losses), (accuracy_line, test_accuracies)]:
            line.set_data(range(len(values)), values)
        before = (ax.get_ylim(), ax2.get_ylim())
        set_curve_ranges(ax, ax2, train_losses + test_losses, test_accuracies, args.epochs)
        if (ax.get_ylim(), ax2.get_ylim()) != before:
            fig.tight_layout()  # as the final figure's, for these tick labels
        if epoch < args.epochs - 1:
            first, *rest = title.split("\n")
            ax.set_title("\n".join([f"{first} (epoch {epoch})", *rest]))
            return [train_line, test_line, accuracy_line, ax.title]
        # The last frame is the final figure: its title, the numbers written on it, its drawing order.
        ax.set_title(title)
        fig.tight_layout()
        *losses, accuracy = label_values(ax, ax2, train_losses, test_losses, test_accuracies)
        return [train_line, test_line, *losses, ax.get_legend(), accuracy_line, accuracy, ax.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_mistakes(model, test_data, args, digits):
    """--mistakes N: misclassified test images, titled with the true digit and P(prediction)."""
    if not args.mistakes:
        return
    import matplotlib.pyplot as plt
    model.eval()
    with torch.no_grad():
        batches = [(data, label, model(data)) for data, label in test_data]
    images, labels, prob_second = (torch.cat(parts) for parts in zip(*batches))  # P(label 1)
    wrong = ((prob_second > 0.5).float() != labels).nonzero().flatten()
    print(f"Misclassified test images: {len(wrong)}, showing {min(len(wrong), args.mistakes)}", flush=True)
    wrong = wrong[:args.mistakes].tolist()
    cols = max(1, min(8, len(wrong)))
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.9 * rows + 0.6), squeeze=False,
                             layout="constrained")  # room for titles and suptitle
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        p = prob_second[i].item()
        guess, conf = (digits[1], p) if p > 0.5 else (digits[0], 1 - p)
        ax.imshow(images[i, 0].cpu().numpy(), cmap="gray")
        ax.set_title(f"true {digits[int(labels[i])]}\npred {guess} ({conf:.2f})", fontsize=8, color="red")
    fig.suptitle(f"Misclassified test images ({len(wrong)} shown)")
    save = None if args.save is None else args.save.with_name(args.save.stem + "_mistakes.png")
    show_or_save(fig, save, args.no_show, f"{args.name}_mistakes.png")


def log_range(values, decades=1):
    """Axis limits for a log scale at whole powers of ten around the values (at least `decades`
    of them): they stay put while the values move inside, so a live figure is rarely redrawn fully."""
    positive = [v for v in values if v > 0 and math.isfinite(v)] or [1.0]
    high = math.ceil(math.log10(max(positive)))
    low = min(math.floor(math.log10(min(positive))), high - decades)
    return 10.0 ** low, 10.0 ** high


def zero_based_range(values, step):
    """Axis limits from 0 to the largest value rounded up to a multiple of step: like
    log_range, they change only now and then (NaN or inf from a diverging run are ignored)."""
    finite = [v for v in values if math.isfinite(v)] or [step]
    return 0.0, step * max(1, math.ceil(max(finite) / step))


# --- train_mlp.py and train_cnn.py: the flags, the figure title and the live view they share ---

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
    return parser


def model_path(text):
    """argparse type for --save-model: only .pth/.pt, so a typo cannot overwrite other files."""
    path = Path(text)
    if path.suffix.lower() not in (".pth", ".pt"):
        raise argparse.ArgumentTypeError(f"--save-model needs a .pth file name, got {text!r}")
    return path


def learning_curves_title(name, args):
    schedule = "constant" if args.no_schedule else "cosine decay"
    others = [flag for flag in args.changed if flag.split()[0] not in ("--optimizer", "--lr", "--no-schedule")]
    return f"{name}, {args.optimizer} lr={args.lr} ({schedule})" + (f"; {', '.join(others)}" if others else "")


def set_learning_curve_ranges(fig, train_losses, val_losses, accuracies, epochs):
    """train_mlp.py's and train_cnn.py's ranges, shared by the final figure and every live frame."""
    ax1, ax2 = fig.axes
    margin = 0.05 * max(epochs - 1, 1)
    for axes in (ax1, ax2):
        axes.set_xlim(1 - margin, epochs + margin)
    ax1.set_ylim(zero_based_range(train_losses + val_losses, 0.1))
    finite = [a for a in accuracies if math.isfinite(a)] or [0]
    ax2.set_ylim(10 * math.floor((min(finite) - 0.5) / 10), 100)  # (a point on the frame would be cut)


def show_learning_curves(fig, history, args, default_name):
    set_learning_curve_ranges(fig, *history, args.epochs)
    fig.tight_layout()  # again: the tick labels of these ranges
    show_or_save(fig, args.save, args.no_show, default_name)


def start_curves_live_view(plot_learning_curves, args, title):
    """The learning-curves figure (two losses left, the accuracy right), its curves growing
    epoch by epoch in a window and/or a GIF; LiveView() (draws nothing) when neither is wanted.
    Its axes are the final figure's (they change only when a curve leaves them): no jump at the end."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    epochs = args.epochs
    fig = plot_learning_curves([], [], [], title=title)
    ax1, ax2 = fig.axes
    set_learning_curve_ranges(fig, [], [], [], epochs)
    loss_title = ax1.get_title()

    def redraw(epoch, train_losses, val_losses, accuracies):
        lines = ax1.get_lines() + ax2.get_lines()
        for line, values in zip(lines, [train_losses, val_losses, accuracies]):
            line.set_data(range(1, len(values) + 1), values)
        before = (ax1.get_ylim(), ax2.get_ylim())
        set_learning_curve_ranges(fig, train_losses, val_losses, accuracies, epochs)
        ax1.set_title(loss_title if epoch == epochs else f"{loss_title} (epoch {epoch})")
        if epoch in (1, epochs) or (ax1.get_ylim(), ax2.get_ylim()) != before:
            fig.tight_layout()  # as the final figure's, for these tick labels
        # The legends are drawn every frame ("best" place for the curves so far): no jump at the end.
        return [*lines, ax1.get_legend(), ax2.get_legend(), ax1.title]

    # Epochs count from 1 here: epochs + 1 makes the schedule run up to the last one.
    return LiveView(fig, redraw, epochs + 1, window=window, gif=args.gif)


# --- predict.py: its two figures ---

def show_test_grid(images, labels, prediction, confidence, args):
    """predict.py: test images with the predicted digit and its probability, mistakes in red."""
    import matplotlib.pyplot as plt
    count = len(images)
    correct = (prediction == labels).sum().item()
    cols = min(count, int(np.ceil(np.sqrt(count))))
    rows = int(np.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols + 0.4, 1.5 * rows + 0.6), squeeze=False,
                             layout="constrained")  # room for titles and suptitle
    for ax in axes.flat:
        ax.axis("off")
    for i, ax in enumerate(axes.flat[:count]):
        ax.imshow(images[i, 0].numpy(), cmap="gray")
        wrong = prediction[i] != labels[i]
        text = f"pred {prediction[i].item()} ({confidence[i].item():.2f})"
        if wrong:
            text += f"\ntrue {labels[i].item()}"
        ax.set_title(text, fontsize=8, color="red" if wrong else "black")
    fig.suptitle(f"Test images: prediction (confidence), mistakes in red: {correct}/{count} correct")
    show_or_save(fig, args.save, args.no_show, "predict.png")


def show_own_image(original, image, probabilities, model_name, args):
    """predict.py --image: the picture, the 28x28 the model sees, and each digit's probability."""
    import matplotlib.pyplot as plt
    prediction = int(probabilities.argmax())
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(11, 3.6))
    ax1.imshow(original, cmap="gray", vmin=0, vmax=255)
    ax1.set_title("Your image (greyscale)")
    ax2.imshow(image[0].numpy(), cmap="gray", vmin=0, vmax=1)
    ax2.set_title("What the model sees (28x28)")
    for ax in (ax1, ax2):
        ax.set_xlabel("x (pixels)")
        ax.set_ylabel("y (pixels)")
    ax3.bar(range(10), probabilities.numpy(), color=["red" if d == prediction else "blue" for d in range(10)])
    ax3.set_xticks(range(10))
    ax3.set_ylim(0, 1)
    ax3.set_xlabel("Digit")
    ax3.set_ylabel("Probability (softmax)")
    ax3.set_title(f"{model_name}: {prediction} ({probabilities[prediction].item():.2f})")
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, "predict_image.png")
