"""Helpers for this chapter's scripts: command-line plumbing, the model's set-up and
summary, the figures (points, decision regions, losses), the live view and the GIF.

The scripts the article follows (dump_points.py, train.py) import from here, so each of
them reads top to bottom as the article's code.
"""
import argparse
import atexit
import math
import os
import random
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

# matplotlib and PIL are imported inside the functions that draw: --help and a mistyped
# flag then answer without loading them (about 0.5 s).

CHAPTER_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = CHAPTER_DIR / "outputs"
# Backends that cannot open a window (SSH, CI, MPLBACKEND=Agg): save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}

GIF_DPI = 80         # GIF frames are drawn smaller than the window (920 x 416), text readable
GIF_FRAME_MS = 80    # how long each GIF frame is shown
GIF_HOLD_MS = 2000   # ... and the last one, so the result can be looked at

# One colour per class (red/blue first as in the book); yellow is kept free for --predict.
CLASS_COLORS = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:brown",
                "tab:pink", "tab:gray", "tab:cyan", "tab:olive"]


GRID_SIZE = 300  # the decision regions are drawn on a 300 x 300 grid
FIGSIZE = (11.5, 5.2)
# The shading: the class the model picks, the stronger the surer it is (softmax probability
# from 1/classes, a pure guess, to 1), in steps that read like contour lines (and keep the
# GIF's colours few).
SHADE_WEAKEST, SHADE_STRONGEST, SHADE_STEPS = 0.06, 0.42, 8
# Flags that change what is drawn or where it goes, not the run: left out of the figure title.
NOT_RUN_FLAGS = {"help", "save", "no_show", "no_live", "gif", "predict"}


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
        """Also keeps the flags that differ from their defaults (args.changed), for the titles."""
        parsed = super().parse_args(args, namespace)
        parsed.changed = [f"{action.option_strings[0]} {value:g}"
                          if isinstance(value, float) else f"{action.option_strings[0]} {value}"
                          for action in self._actions
                          if action.dest not in NOT_RUN_FLAGS
                          and (value := getattr(parsed, action.dest)) != action.default]
        return parsed


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def png_path(text):
    # Only .png: a typo in --save must never overwrite one of the reader's other files.
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"--save needs a .png file name, got {text!r}")
    return Path(text)


def gif_path(text):
    """argparse type for --gif: checked before training, and never overwrites a non-GIF file."""
    path = Path(text)
    if path.suffix.lower() != ".gif":
        raise argparse.ArgumentTypeError(f"--gif needs a .gif file name, got {text!r}")
    folder = path.parent
    if not folder.is_dir() and folder.resolve() == OUTPUT_DIR:
        OUTPUT_DIR.mkdir()  # the chapter's own outputs/ folder (--gif outputs/train.gif)
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


def set_up_torch(seed):
    """Seed torch, numpy and random; one CPU thread."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # These tensors are tiny: extra CPU threads only add waiting (10x slower on a busy machine).
    torch.set_num_threads(1)


def print_model(model, train_labels, val_labels):
    print(model)
    print(f"Parameters: {sum(p.numel() for p in model.parameters()):,}")
    print(f"Training points: {len(train_labels)}, validation points: {len(val_labels)}")


class Watch:
    """Called by train_model once per epoch: keeps the training loss and the validation
    loss (only watched, never trained on) for the figures, and redraws the live view."""

    def __init__(self, model, loss_function, val_data, val_labels, live=None):
        self.model, self.loss_function = model, loss_function
        self.val_data, self.val_labels = val_data, val_labels
        self.live = live or LiveView()  # LiveView() draws nothing
        self.history = {"training": [], "validation": []}

    def __call__(self, epoch, loss):
        self.history["training"].append(loss.item())
        with torch.no_grad():
            val_loss = self.loss_function(self.model(self.val_data), self.val_labels)
        self.history["validation"].append(val_loss.item())
        self.live.update(epoch, self.history)  # redraws the figure now and then

    def finish(self):
        self.live.finish()


@contextmanager
def stop_on_ctrl_c(watch):
    """Ctrl-C ends the training early; the script goes on with what was learned."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"Interrupted after {len(watch.history['training'])} epochs: "
              "showing what was learned so far")


def plot_data(train_data, val_data, train_labels, val_labels, scaler, classes):
    """The points as numpy arrays for the figures: standardized (x) and in original units (raw)."""
    train_x, val_x = train_data.numpy(), val_data.numpy()
    return SimpleNamespace(classes=classes, features=train_x.shape[1], scaler=scaler,
                           train_x=train_x, val_x=val_x,
                           raw_train=scaler.inverse_transform(train_x),
                           raw_val=scaler.inverse_transform(val_x),
                           train_y=train_labels.numpy(), val_y=val_labels.numpy())


# ---- The figures ----

def run_title(script, args):
    """The command that made the figure, with the flags that changed the run."""
    return " ".join([script, *args.changed]) if args.changed else f"{script} (default settings)"


def show_points(data, args):
    """dump_points.py: the data in original units and after StandardScaler."""
    import matplotlib.pyplot as plt
    fig, (ax_raw, ax_scaled) = plt.subplots(1, 2, figsize=(11, 5))
    plot_points(ax_raw, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    plot_points(ax_scaled, data.train_x, data.train_y, data.val_x, data.val_y, data.classes)
    set_labels(ax_raw, data.features, "original units")
    set_labels(ax_scaled, data.features, "standardized")
    ax_raw.set_title(points_title("make_blobs data", data.features))
    ax_scaled.set_title(points_title("After StandardScaler", data.features))
    ax_raw.legend(handles=legend_handles(data.classes), fontsize="small")
    ax_scaled.legend(handles=legend_handles(data.classes), fontsize="small")
    fig.suptitle(run_title("dump_points.py", args))
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, "dump_points.png")


def new_figure(data, args):
    """train.py's figure, the same live and at the end: the plane with the colour key of
    its shading, the losses, and the run's flags on top."""
    import matplotlib.pyplot as plt
    from mpl_toolkits.axes_grid1 import make_axes_locatable
    fig, (ax_plane, ax_loss) = plt.subplots(1, 2, figsize=FIGSIZE)
    if data.features <= 2:  # (no regions to shade with more features: no key)
        ax_key = make_axes_locatable(ax_plane).append_axes(
            "right", size=f"{3.5 * data.classes}%", pad=0.08)
        draw_key(ax_key, data.classes)
    fig.suptitle(run_title("train.py", args))
    return fig, ax_plane, ax_loss


def start_live_view(model, data, args):
    """The figure of show_results, updated while training runs (in a window and/or a GIF)."""
    window = can_show() and not args.no_show and not args.no_live
    if not window and args.gif is None:
        return LiveView()
    fig, ax_plane, ax_loss = new_figure(data, args)
    xlim, ylim = plot_limits(data, args.predict)
    changing = []
    if data.features <= 2:
        grid, grid_x, _ = make_grid(data, xlim, ylim)
        # The shading as an image: new image data is much cheaper than a new contourf.
        image = ax_plane.imshow(np.ones((*grid_x.shape, 3)), origin="lower", extent=(*xlim, *ylim),
                                aspect="auto", interpolation="nearest")
        changing = [image]
    draw_axes(ax_plane, ax_loss, data, [], xlim, ylim, args)
    rings = draw_mistakes(ax_plane, data, np.zeros(len(data.val_y), dtype=bool))
    train_line, = ax_loss.plot([], [], label="training")
    val_line, = ax_loss.plot([], [], label="validation")
    ax_loss.legend()
    ax_loss.set_xlim(1, args.epochs)
    ax_loss.set_ylim(0, 1)  # raised by redraw() when a loss is higher
    fig.tight_layout()
    # Drawn again after the image, so the points and the legend stay on top of it.
    changing += [*ax_plane.collections, ax_plane.get_legend(), ax_plane.title,
                 *ax_plane.spines.values()]

    def redraw(epoch, history):
        if data.features <= 2:
            image.set_data(shade_grid(model, grid, grid_x.shape, data.classes))
        wrong = misclassified(model, data)
        rings.set_offsets(np.column_stack(plane(data.raw_val[wrong], data.val_y[wrong])))
        ax_plane.set_title(plane_title(data, args, wrong))
        epochs = range(1, len(history["training"]) + 1)
        train_line.set_data(epochs, history["training"])
        val_line.set_data(epochs, history["validation"])
        top = max(history["training"] + history["validation"])
        if math.isfinite(top) and top > ax_loss.get_ylim()[1]:  # a new range: full redraw
            ax_loss.set_ylim(0, top * 1.1)
        ax_loss.set_title(f"Loss (SGD, lr={args.lr:g}), epoch {epoch + 1}: "
                          f"{history['training'][-1]:.4f}")
        return [*changing, train_line, val_line, ax_loss.get_legend(), ax_loss.title]

    return LiveView(fig, redraw, args.epochs, window=window, gif=args.gif)


def show_results(model, data, history, predictions, args):
    fig, ax_plane, ax_loss = new_figure(data, args)
    xlim, ylim = plot_limits(data, args.predict)
    if data.features <= 2:
        grid, gx, _ = make_grid(data, xlim, ylim)
        ax_plane.imshow(shade_grid(model, grid, gx.shape, data.classes), origin="lower",
                        extent=(*xlim, *ylim), aspect="auto", interpolation="nearest")
    draw_axes(ax_plane, ax_loss, data, predictions, xlim, ylim, args)
    wrong = misclassified(model, data)
    draw_mistakes(ax_plane, data, wrong)
    ax_plane.set_title(plane_title(data, args, wrong))
    epochs = range(1, len(history["training"]) + 1)
    ax_loss.plot(epochs, history["training"], label="training")
    ax_loss.plot(epochs, history["validation"], label="validation")
    # The same axes as the live view's last frame.
    ax_loss.set_xlim(1, max(args.epochs, 2))
    finite = [v for v in history["training"] + history["validation"] if math.isfinite(v)]
    ax_loss.set_ylim(0, max([1.0] + [1.1 * v for v in finite]))
    ax_loss.set_title(f"Loss (SGD, lr={args.lr:g})")
    ax_loss.legend()
    fig.tight_layout()
    show_or_save(fig, args.save, args.no_show, "train.png")


def draw_axes(ax_plane, ax_loss, data, predictions, xlim, ylim, args):
    """What the live and the final figure share: points, stars, labels, legend."""
    from matplotlib.lines import Line2D
    plot_points(ax_plane, data.raw_train, data.train_y, data.raw_val, data.val_y, data.classes)
    handles = legend_handles(data.classes)
    handles.append(Line2D([], [], linestyle="", marker="o", markersize=11, markerfacecolor="none",
                          markeredgecolor="black", markeredgewidth=1.6, label="misclassified"))
    for point, k, p in predictions:
        px, py = plane(point[None, :], np.array([k]))
        ax_plane.scatter(px, py, s=260, marker="*", color="yellow", edgecolor="black", zorder=3)
        ax_plane.annotate(f"class {k} (p={p:.2f})", (px[0], py[0]), xytext=(8, 8),
                          textcoords="offset points", fontsize="small",
                          bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8})
    if predictions:
        handles.append(Line2D([], [], linestyle="", marker="*", markersize=12, color="yellow",
                              markeredgecolor="black", label="--predict"))
    ax_plane.set_xlim(xlim)
    ax_plane.set_ylim(ylim)
    set_labels(ax_plane, data.features, "original units")
    ax_plane.set_title(plane_title(data, args, np.zeros(len(data.val_y), dtype=bool)))
    ax_plane.legend(handles=handles, fontsize="small", framealpha=0.9)

    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy loss")


def plane_title(data, args, wrong):
    model = "linear model" if args.hidden is None else f"hidden layer of {args.hidden} (ReLU)"
    if data.features <= 2:
        title = f"Decision regions: {model}"
    else:
        title = points_title(f"No decision regions ({model}, {data.features} features)",
                             data.features)
    return f"{title}\nvalidation: {wrong.sum()} of {len(wrong)} misclassified (ringed)"


def misclassified(model, data):
    """True for each validation point the model gets wrong now."""
    with torch.no_grad():
        return (model(torch.from_numpy(data.val_x)).argmax(dim=1).numpy() != data.val_y)


def draw_mistakes(ax, data, wrong):
    """A black ring around each misclassified validation point."""
    px, py = plane(data.raw_val[wrong], data.val_y[wrong])
    return ax.scatter(px, py, s=130, facecolors="none", edgecolors="black", linewidths=1.6,
                      zorder=2.5)


def plot_limits(data, predict):
    """Axis ranges that hold every point, the --predict stars included, with a margin."""
    stars = np.reshape(predict or [], (-1, data.features))
    x = np.concatenate([data.raw_train, data.raw_val, stars])
    # With 1 feature the vertical axis is the class: a star's class lies in the labels' range.
    y = np.concatenate([data.train_y, data.val_y, np.zeros(len(stars))])
    px, py = plane(x, y)
    limits = []
    for v in (px, py):
        margin = 0.1 * (v.max() - v.min()) + 0.5
        limits.append((v.min() - margin, v.max() + margin))
    return limits


def make_grid(data, xlim, ylim):
    """Grid points over the plot: standardized like the data, as a tensor; and their x, y."""
    gx, gy = np.meshgrid(np.linspace(*xlim, GRID_SIZE), np.linspace(*ylim, GRID_SIZE))
    if data.features == 2:
        grid = np.column_stack([gx.ravel(), gy.ravel()])
    else:  # one feature: the vertical axis is not an input, so regions are vertical bands
        grid = gx.ravel()[:, None]
    return torch.tensor(data.scaler.transform(grid), dtype=torch.float32), gx, gy


def shade_grid(model, grid, shape, classes):
    """The picture of the plane (RGB): the class the model picks at each grid point, in
    that class's colour, the stronger the higher its softmax probability."""
    with torch.no_grad():
        probability, chosen = torch.softmax(model(grid), dim=1).max(dim=1)
    return shade(chosen.numpy(), probability.numpy(), classes).reshape(*shape, 3)


def shade(chosen, probability, classes):
    """Class colours blended into white: a pure guess (1/classes) faint, certainty strong."""
    colors = class_rgb(classes)
    sure = np.clip((probability - 1 / classes) / (1 - 1 / classes), 0, 1)
    sure = np.minimum(np.floor(sure * SHADE_STEPS), SHADE_STEPS - 1) / (SHADE_STEPS - 1)
    strength = SHADE_WEAKEST + (SHADE_STRONGEST - SHADE_WEAKEST) * sure
    return 1 - strength[:, None] * (1 - colors[chosen])


def draw_key(ax, classes):
    """The colour bar of the shading: one column per class, probability upwards."""
    p = np.linspace(1 / classes, 1, 400)
    columns = [shade(np.full(len(p), k), p, classes) for k in range(classes)]
    ax.imshow(np.stack(columns, axis=1), origin="lower", aspect="auto",
              extent=(-0.5, classes - 0.5, 1 / classes, 1))
    ax.set_xticks(range(classes))
    ax.set_xlabel("class")
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.set_ylabel("shading = probability of the chosen class")


def plane(x, y):
    """Where each point goes on the 2-D plot: its first two features.
    With a single feature the class label serves as the vertical position."""
    if x.shape[1] >= 2:
        return x[:, 0], x[:, 1]
    return x[:, 0], y.astype(float)


def plot_points(ax, train_x, train_y, val_x, val_y, classes):
    """Training points filled circles, validation points triangles with a black edge."""
    for k in range(classes):
        color = class_color(k)
        px, py = plane(train_x[train_y == k], train_y[train_y == k])
        ax.scatter(px, py, s=18, color=color, alpha=0.8)
        px, py = plane(val_x[val_y == k], val_y[val_y == k])
        ax.scatter(px, py, s=40, marker="^", color=color, edgecolor="black", linewidth=0.8)
    if train_x.shape[1] == 1:
        ax.set_yticks(range(classes))


def legend_handles(classes):
    """A compact legend: one patch per class colour, one marker per split."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Patch(color=class_color(k), label=f"class {k}") for k in range(classes)]
    handles.append(Line2D([], [], linestyle="", marker="o", color="gray", label="training"))
    handles.append(Line2D([], [], linestyle="", marker="^", color="gray",
                          markeredgecolor="black", label="validation"))
    return handles


def set_labels(ax, features, units):
    ax.set_xlabel(f"feature 1 ({units})")
    ax.set_ylabel(f"feature 2 ({units})" if features >= 2 else "class (only 1 feature)")


def points_title(title, features):
    if features >= 3:
        return f"{title}\n(first 2 of {features} features shown)"
    return title


def class_color(k):
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def class_rgb(classes):
    """The class colours as an array of RGB rows (0..1)."""
    from matplotlib.colors import to_rgb
    return np.array([to_rgb(class_color(k)) for k in range(classes)])


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

    redraw() changes only what moves (image data, line data, title text) and returns
    those artists. Only they are drawn again over a saved copy of the rest of the
    figure ("blitting"), which is about ten times faster than drawing everything.
    LiveView() with no figure does nothing.
    """

    def __init__(self, fig=None, redraw=None, epochs=0, window=False, gif=None):
        self.fig, self.redraw = fig, redraw
        self.window, self.gif = window, gif
        self.schedule = set(frame_epochs(epochs))
        self.background, self.limits = None, None
        self.frames = []
        self.epoch, self.state, self.drawn = None, (), None
        self.offscreen = False
        import matplotlib.pyplot as plt
        if fig is None:
            self.window, self.gif = False, None
        elif window:
            fig.canvas.mpl_connect("close_event", self.window_closed)
            fig.canvas.mpl_connect("resize_event", self.forget_background)
            plt.show(block=False)
        else:
            plt.close(fig)  # never a window: draw off-screen only
            self.go_offscreen()

    def update(self, epoch, *state):
        self.epoch, self.state = epoch, state
        if epoch in self.schedule and (self.window or self.gif is not None):
            self.draw_frame()

    def finish(self):
        """Draw the last epoch if it was not drawn (Ctrl-C), write the GIF, close the figure."""
        if self.fig is None:
            return
        import matplotlib.pyplot as plt
        if self.epoch is not None and self.drawn != self.epoch and (self.window or self.gif):
            self.draw_frame()
        if self.gif is not None and self.frames:
            save_gif(self.frames, self.gif)
            print(f"Saved animation to {self.gif}", flush=True)
        plt.close(self.fig)

    def draw_frame(self):
        if not self.window and not self.offscreen:  # the window was closed: GIF only
            self.go_offscreen()
        fig, canvas = self.fig, self.fig.canvas
        artists = self.redraw(self.epoch, *self.state)
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
