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

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


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

GIF_DPI = 80         # GIF frames are drawn smaller than the window: a file of readable size
GIF_FRAME_MS = 150   # how long each GIF frame is shown
GIF_HOLD_MS = 2000   # ... and the last one, so the result can be looked at


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


def gif_path(text):
    """argparse type for --gif: checked before training, and never overwrites a non-GIF file."""
    path = Path(text)
    if path.suffix.lower() != ".gif":
        raise argparse.ArgumentTypeError(f"--gif needs a .gif file name, got {text!r}")
    folder = path.parent
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


def add_common_flags(parser, device=True, live=False):
    """The flags every script of this chapter shares."""
    parser.add_argument("--data-dir", type=Path, default=CHAPTER_DIR / "data",
                        help="folder for MNIST (torchvision layout: <dir>/MNIST/raw/)")
    if device:
        parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                            help="where to compute; auto picks cuda, then mps, then cpu")
        parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same output)")
    add_figure_flags(parser, live)


def add_figure_flags(parser, live=False):
    parser.add_argument("--save", type=png_path, default=None, help="also write the figure to this PNG")
    parser.add_argument("--no-show", action="store_true", help="do not open a window")
    if live:
        parser.add_argument("--no-live", action="store_true",
                            help="do not update the figure while training; show it at the end only")
        parser.add_argument("--gif", type=gif_path, metavar="PATH",
                            help="also write the training as an animated GIF (works without a window)")


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
        if self.fig is None:
            return
        if self.epoch is not None and self.drawn != self.epoch and (self.window or self.gif):
            self.draw_frame()
        if self.gif is not None and self.frames:
            save_gif(self.frames, self.gif)
            print(f"Saved animation to {self.gif}", flush=True)
        plt.close(self.fig)

    def draw_frame(self):
        if not self.window and type(self.fig.canvas) is not FigureCanvasAgg:
            self.draw_offscreen()  # the window was closed: the GIF goes on without it
        fig, canvas = self.fig, self.fig.canvas
        artists = self.redraw(self.epoch, *self.state)
        for artist in artists:
            artist.set_animated(True)  # left out of full redraws: drawn by hand below
        layout = [(ax.get_position().bounds, ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
        if self.background is None or layout != self.layout:
            # First frame, window resized, or an axis range changed: draw it all once.
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
        frame = Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())).convert("RGB")
        width, height = self.fig.get_size_inches() * GIF_DPI
        if frame.width != round(width):  # a window's canvas: shrink to the GIF size
            frame = frame.resize((round(width), round(height)), Image.Resampling.BILINEAR)
        return frame

    def draw_offscreen(self):
        FigureCanvasAgg(self.fig)
        self.fig.set_dpi(GIF_DPI)
        self.background = None

    def window_closed(self, event):
        self.window = False  # closing the window stops the drawing, not the training

    def forget_background(self, event):
        self.background = None


def save_gif(frames, path):
    """A looping GIF from RGB frames; the last frame is held a while."""
    # GIF has 256 colours: each frame gets its own palette (a palette shared by all frames turned
    # white into light grey). FASTOCTREE: 5x faster than MEDIANCUT, colours within 1-2 levels.
    images = [frame.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
              for frame in frames]
    durations = [GIF_FRAME_MS] * (len(images) - 1) + [GIF_HOLD_MS]
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


def plot_curves(train_losses, test_losses, test_accuracies, name):
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(train_losses, color="blue", label="Train Loss")
    ax.plot(test_losses, color="green", label="Test Loss")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss (binary cross-entropy, log scale)")
    ax.set_yscale("log")  # on a linear scale the late rise of the test loss is invisible
    ax2 = ax.twinx()  # accuracy lives on its own 0-1 scale
    ax2.plot(test_accuracies, color="red", label="Test Accuracy")
    ax2.set_ylabel("Test Accuracy")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower center")
    ax.set_title(f"4 vs 9 ({name}.py): learning curves")
    return fig


def show_curves(train_losses, test_losses, test_accuracies, args):
    fig = plot_curves(train_losses, test_losses, test_accuracies, args.name)
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, f"{args.name}.png")


def live_curves(args):
    """The figure of show_curves, its curves growing epoch by epoch (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig = plot_curves([], [], [], args.name)
    ax, ax2 = fig.axes
    title = ax.get_title()
    last = max(args.epochs - 1, 1)
    ax.set_xlim(-0.05 * last, 1.05 * last)  # the final figure's epoch axis, fixed from the start
    ax.set_ylim(0.001, 1)  # losses start near 0.69 (a coin toss) and fall
    ax2.set_ylim(0.5, 1.02)
    fig.tight_layout()

    def redraw(epoch, train_losses, test_losses, test_accuracies):
        train_line, test_line, accuracy_line = ax.get_lines() + ax2.get_lines()
        for line, values in [(train_line, train_losses), (test_line, test_losses), (accuracy_line, test_accuracies)]:
            line.set_data(range(len(values)), values)
        if epoch < args.epochs - 1:
            # Ranges that change only if a curve leaves them: each change costs a full redraw.
            ax.set_ylim(log_range(train_losses + test_losses, decades=3))
            ax2.set_ylim(min(0.5, min(test_accuracies)), 1.02)
            ax.set_title(f"{title} (epoch {epoch})")
            return [train_line, test_line, accuracy_line, ax.title]
        # The last frame: the ranges, title and layout of the final figure, and its drawing order.
        for axes in (ax, ax2):
            axes.set_autoscale_on(True)
            axes.relim()
            axes.autoscale_view()
        ax.set_title(title)
        fig.tight_layout()
        return [train_line, test_line, ax.get_legend(), accuracy_line, ax.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_mistakes(model, test_data, args, digits):
    """--mistakes N: misclassified test images, titled with the true digit and P(prediction)."""
    if not args.mistakes:
        return
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
                        help="adam (default) or plain sgd as in the lecture's first try")
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


def curves_title(name, args):
    schedule = "constant" if args.no_schedule else "cosine decay"
    return (f"{name}, {args.optimizer} lr={args.lr} ({schedule})"
            + (", augmented training images" if args.augment else ""))


def start_curves_live_view(plot_learning_curves, args, title):
    """The learning-curves figure (two losses left, the accuracy right), its curves growing
    epoch by epoch in a window and/or a GIF; LiveView() (draws nothing) when neither is wanted."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    epochs = args.epochs
    fig = plot_learning_curves([], [], [], title=title)
    ax1, ax2 = fig.axes
    margin = 0.05 * max(epochs - 1, 1)
    for axes in (ax1, ax2):
        axes.set_xlim(1 - margin, epochs + margin)  # the final figure's epoch axis, fixed from the start
    ax1.set_ylim(0, 1)
    ax2.set_ylim(0, 100)
    loss_title = ax1.get_title()

    def redraw(epoch, train_losses, val_losses, accuracies):
        lines = ax1.get_lines() + ax2.get_lines()
        for line, values in zip(lines, [train_losses, val_losses, accuracies]):
            line.set_data(range(1, len(values) + 1), values)
        if epoch < epochs:
            # Ranges that change only now and then: each change costs a full redraw.
            ax1.set_ylim(zero_based_range(train_losses + val_losses, 0.1))
            ax2.set_ylim(10 * math.floor(min(accuracies) / 10), 100)
            ax1.set_title(f"{loss_title} (epoch {epoch})")
            return [*lines, ax1.title]
        # The last frame: the ranges, titles and layout of the final figure; legends on top.
        for axes in (ax1, ax2):
            axes.set_autoscale_on(True)
            axes.relim()
            axes.autoscale_view()
        ax1.set_title(loss_title)
        fig.tight_layout()
        return [*lines, ax1.get_legend(), ax2.get_legend(), ax1.title]

    # Epochs count from 1 here: epochs + 1 makes the schedule run up to the last one.
    return LiveView(fig, redraw, epochs + 1, window=window, gif=args.gif)


# --- predict.py: its two figures ---

def show_test_grid(images, labels, prediction, confidence, args):
    """predict.py: test images with the predicted digit and its probability, mistakes in red."""
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
