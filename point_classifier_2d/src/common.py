"""Helpers for this chapter's scripts: command-line plumbing, speed settings, the
figures (final, live while training, GIF).

The scripts the book names (dump_points.py, train.py) import from here, so each of
them reads top to bottom as what the book explains. matplotlib and PIL are imported
where a figure is made, not here: `--help` and a mistyped flag answer without them.
"""
import argparse
import atexit
import math
import os
import random
import sys
from pathlib import Path

import numpy as np

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
# Backends that cannot open a window (SSH, CI, MPLBACKEND=Agg): save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}

GIF_DPI = 80         # GIF frames are drawn smaller than the window (100 dpi), text still readable
GIF_FRAME_MS = 80    # how long each GIF frame is shown
GIF_HOLD_MS = 2000   # ... and the last one, so the result can be looked at

GRID_SIZE = 200  # the model's probability is drawn on a 200 x 200 grid ...
LIVE_GRID_SIZE = 64  # ... and on a coarser one while training (10 times fewer points to ask)


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
        as typed ("--epochs 2001 --lr 0.1"), for the figure titles."""
        parsed = super().parse_args(args, namespace)
        parsed.changed = " ".join(
            f"{action.option_strings[-1]} {getattr(parsed, action.dest)}"
            for action in self._actions
            if action.option_strings and type(action.default) in (int, float)
            and getattr(parsed, action.dest) != action.default)
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


def stepped_colormap(name, steps, alpha=1.0):
    """A colormap with a few flat colours, like contourf's bands (and few enough for a GIF).
    alpha < 1: the colours as they look drawn that transparent on white, but opaque
    (faster to draw)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    colors = plt.get_cmap(name)((np.arange(steps) + 0.5) / steps)
    return ListedColormap(alpha * colors + (1 - alpha))


def frame_epochs(epochs, frames=48):
    """The epochs to draw: every epoch of a short run; for a long one, geometrically
    spaced (0, 1, 2, 3, 5, 8, ...) so the early, fast changes are seen, and the last."""
    if epochs <= frames:
        return list(range(epochs))
    spaced = np.geomspace(1, epochs - 1, frames).astype(int)
    return sorted({0, epochs - 1, *spaced.tolist()})


class LiveView:
    """Keeps every epoch's loss and redraws a figure while training runs: in a window,
    into a GIF, or both.

        with LiveView(fig, redraw, epochs, window=True, gif=None) as live:
            for epoch in range(epochs):
                ...
                live.update(epoch, loss.item())  # redraw(epoch, live.losses) at frame_epochs()
        # here the GIF is written and the figure closed; Ctrl-C ends the `with` quietly

    redraw() changes only what moves (image data, line data, title text) and returns
    those artists. Only they are drawn again over a saved copy of the rest of the
    figure ("blitting"), which is about ten times faster than drawing everything.
    LiveView() with no figure only keeps the losses.
    """

    def __init__(self, fig=None, redraw=None, epochs=0, window=False, gif=None):
        import matplotlib.pyplot as plt

        self.fig, self.redraw = fig, redraw
        self.window, self.gif = window, gif
        self.schedule = set(frame_epochs(epochs))
        self.background, self.limits = None, None
        self.frames = []
        self.losses = []
        self.epoch, self.drawn = None, None
        self.offscreen = False
        if fig is None:
            self.window, self.gif = False, None
        elif window:
            fig.canvas.mpl_connect("close_event", self.window_closed)
            fig.canvas.mpl_connect("resize_event", self.forget_background)
            plt.show(block=False)
        else:
            plt.close(fig)  # never a window: draw off-screen only
            self.go_offscreen()

    def update(self, epoch, loss):
        self.epoch = epoch
        self.losses.append(loss)
        if epoch in self.schedule and (self.window or self.gif is not None):
            self.draw_frame()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None and not issubclass(kind, KeyboardInterrupt):
            close(self.fig)
            return False  # a real error: let it through
        if kind is not None:
            print(f"Stopped at epoch {len(self.losses)}: showing what was learned so far.")
        self.finish()
        return True  # Ctrl-C: go on to the final figure with what was learned

    def finish(self):
        """Draw the last epoch if it was not drawn (Ctrl-C), write the GIF, close the figure."""
        if self.fig is None:
            return
        if self.epoch is not None and self.drawn != self.epoch and (self.window or self.gif):
            self.draw_frame()
        if self.gif is not None and self.frames:
            save_gif(self.frames, self.gif)
            print(f"Saved animation to {self.gif}", flush=True)
        close(self.fig)

    def draw_frame(self):
        if not self.window and not self.offscreen:  # the window was closed: GIF only
            self.go_offscreen()
        fig, canvas = self.fig, self.fig.canvas
        artists = self.redraw(self.epoch, self.losses)
        for artist in artists:
            artist.set_animated(True)  # left out of full redraws: drawn by hand below
        limits = [(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
        if self.background is None or limits != self.limits:
            # First frame, window resized, or an axis range changed: draw it all once.
            canvas.draw()
            self.background = canvas.copy_from_bbox(fig.bbox)
            self.limits = limits
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

    def window_closed(self, event):
        # Closing the window stops the drawing, not the training (nor the GIF).
        self.window = False

    def go_offscreen(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self.fig)  # draws into memory only
        self.fig.set_dpi(GIF_DPI)
        self.offscreen = True
        self.background = None

    def forget_background(self, event):
        self.background = None


def close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


def save_gif(frames, path):
    """A looping GIF from RGB frames; the last frame is held a while."""
    from PIL import Image

    # GIF has 256 colours: one palette for all frames, made from the first, middle and last.
    width, height = frames[0].size
    sample = Image.new("RGB", (width, height * 3))
    for row, frame in enumerate([frames[0], frames[len(frames) // 2], frames[-1]]):
        sample.paste(frame, (0, row * height))
    palette = sample.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    images = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    durations = [GIF_FRAME_MS] * (len(images) - 1) + [GIF_HOLD_MS]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)


# ---- train.py: settings around the book's code -------------------------------------

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
    torch.set_flush_denormal(True)


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


# ---- train.py: the figures -------------------------------------------------------------

def start_live_view(model, points, labels, args):
    """The figure of show_results, updated while training runs (in a window and/or a GIF).
    Without either it only keeps the losses."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    from contourpy import contour_generator  # matplotlib's own contour code, without the overhead
    from matplotlib.collections import LineCollection

    fig, ax_regions, ax_loss = make_figure(points, labels, args)
    grid_points = make_grid(LIVE_GRID_SIZE)
    # An image with contourf's colours: changing its data is much cheaper than a new contourf.
    image = ax_regions.imshow(np.zeros((LIVE_GRID_SIZE, LIVE_GRID_SIZE)), cmap=shades(),
                              vmin=0, vmax=1, origin="lower", extent=(0, 1, 0, 1),
                              interpolation="bilinear", interpolation_stage="data")
    line, = ax_loss.plot([], [], color="tab:purple")
    ax_loss.set_xlim(0, args.epochs)
    # Drawn again after the image, so they stay on top of it.
    on_top = ax_regions.collections + list(ax_regions.spines.values())
    boundary = ax_regions.add_collection(LineCollection([], colors="black"))

    def redraw(epoch, losses):
        probability = predict_grid(model, grid_points).numpy()
        image.set_data(probability)
        boundary.set_segments(contour_generator(*grid_points, probability).lines(0.5))
        line.set_data(range(len(losses)), losses)
        ax_loss.set_ylim(decades_around(losses))
        ax_loss.set_title(f"training loss, epoch {epoch}: {losses[-1]:.4f}")
        return [image, *on_top, boundary, line, ax_loss.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(model, points, labels, losses, random_points, result, args):
    """Left: the model's probability of blue over the square, its 0.5 boundary, the
    training points, and the 1,000 random points coloured by the class the model gives
    them. Right: the loss of every epoch, and its last value."""
    fig, ax_regions, ax_loss = make_figure(points, labels, args)
    grid_x, grid_y = make_grid(GRID_SIZE)
    probability = predict_grid(model, (grid_x, grid_y))
    ax_regions.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 11),
                        cmap="RdBu", alpha=0.35)
    ax_regions.contour(grid_x, grid_y, probability, levels=[0.5], colors="black")
    random_points = random_points.numpy()
    blue = (result >= 0.5).numpy()  # the book's rule: 0.5 or more is class 1
    for chosen, color, name in [(~blue, "red", "0"), (blue, "blue", "1")]:
        ax_regions.scatter(random_points[chosen, 0], random_points[chosen, 1], c=color, s=4,
                           linewidths=0, alpha=0.7, label=f"random: class {name}")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    ax_loss.plot(losses, color="tab:purple")
    if losses:  # the last loss, written where the curve ends (the number the README quotes)
        ax_loss.axhline(losses[-1], color="gray", linestyle=":", linewidth=1)
        ax_loss.annotate(f"{losses[-1]:.4g}", (len(losses) - 1, losses[-1]), ha="right",
                         va="bottom", xytext=(0, 3), textcoords="offset points", color="dimgray")
    ax_loss.set_title(f"training loss, final {losses[-1]:.3g}" if losses else "training loss")
    show_or_save(fig, args.save, args.no_show, f"train_{Path(args.csv).stem}_{args.model}.png")


def shades():
    """The colours of the final figure's contourf (ten bands of RdBu, alpha 0.35 on
    white), as a colormap for the live image and the colour bar."""
    return stepped_colormap("RdBu", 10, alpha=0.35)


def make_figure(points, labels, args):
    """What the live and the final figure share: points, legend, colour bar, titles, scales."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.ticker import LogFormatter

    from dump_points import draw_points

    fig, (ax_regions, ax_loss) = plt.subplots(1, 2, figsize=(12, 5.8))
    draw_points(ax_regions, points.numpy(), labels.numpy())
    ax_regions.plot([], [], color="black", label="p = 0.5 boundary")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    changed = f" ({args.changed})" if args.changed else ""
    ax_regions.set_title(f"{args.model} model on {Path(args.csv).name}{changed}")
    bar = fig.colorbar(ScalarMappable(cmap=shades()), ax=ax_regions, orientation="horizontal",
                       fraction=0.05, pad=0.12, ticks=[0, 0.25, 0.5, 0.75, 1])
    bar.set_label("model output: probability of label 1 (blue)")

    ax_loss.set_yscale("log")  # late progress (0.01 -> 0.001) would be invisible otherwise
    # Plain numbers (0.001, 0.4), and the ticks between powers of ten labelled too when
    # the curve spans less than two of them (a plateau at 0.44 can be read off).
    class PlainLogFormatter(LogFormatter):
        def _num_to_string(self, x, vmin, vmax):
            return f"{x:g}"

    ax_loss.yaxis.set_major_formatter(PlainLogFormatter())
    ax_loss.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 1)))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (BCE, log scale)")
    ax_loss.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig, ax_regions, ax_loss


def make_grid(size):
    """A size x size grid over the unit square: its x and y coordinates."""
    import torch

    grid = torch.linspace(0, 1, size)
    return torch.meshgrid(grid, grid, indexing="xy")


def predict_grid(model, grid):
    """The model's probability of label 1 at every grid point."""
    import torch

    grid_x, grid_y = grid
    with torch.no_grad():
        probability = model(torch.stack([grid_x.ravel(), grid_y.ravel()], dim=1))
    return probability.reshape(grid_x.shape)


def decades_around(losses):
    """Log-axis limits at whole powers of ten around the losses: they change (and the
    whole figure is redrawn) only a few times. A loss of 0 or inf is left out."""
    shown = np.asarray(losses)
    shown = shown[np.isfinite(shown) & (shown > 0)]
    if len(shown) == 0:
        return 0.1, 1.0
    low = 10.0 ** math.floor(math.log10(shown.min()))
    return low, max(10.0 ** math.ceil(math.log10(shown.max())), low * 10)
