"""The live view: what watches a training loop. It keeps the curves (one value per epoch
each), and redraws a figure while training runs, in a window, into an animated GIF, or both.

matplotlib and PIL are imported inside the functions: `--help` answers without them.
"""
import sys
from pathlib import Path

import numpy as np

GIF_HOLD_MS = 2000   # how long the GIF shows its last frame, so the result can be looked at


def frame_epochs(epochs, frames=48):
    """The epochs to draw: every epoch of a short run; for a long one, geometrically
    spaced (0, 1, 2, 3, 5, 8, ...) so the early, fast changes are seen, and the last."""
    if epochs <= frames:
        return list(range(epochs))
    spaced = np.geomspace(1, epochs - 1, frames).astype(int)
    return sorted({0, epochs - 1, *spaced.tolist()})


def wanted(args):
    """(window, gif) for a training script's flags: a window where one can open and neither
    --no-show nor --no-live was given; the --gif path or None."""
    from booktools.figures import can_show

    return can_show() and not args.no_show and not args.no_live, args.gif


class LiveView:
    """Watches a training loop: keeps each epoch's values of its curves (for the final figure,
    the run record and Ctrl-C), notes the optimizer the loop used, and, where a figure is
    given, redraws it while training runs: in a window, into a GIF, or both.

        live = LiveView(["loss"], epochs)          # or ["training loss", "validation loss"] ...
        live.draw(fig, redraw, window=True, gif=None)   # only where a figure is wanted
        for epoch in range(epochs):
            ...
            live.update(epoch, loss.item())        # keeps it; calls redraw(epoch) at frame_epochs() only
        live.finish()                              # draws the last frame, writes the GIF, closes the figure
        live.curves["loss"]                        # every epoch's loss

    first_epoch: the number of the loop's first epoch (0, or 1 where the loop counts from 1).
    measure: {name: function()} for curves the loop does not pass to update() (a validation
    loss): each is called once per update, after the values passed. redraw(epoch) changes only
    what moves (image data, line data, title text) and returns those artists. Only they are
    drawn again over a saved copy of the rest of the figure ("blitting"), about ten times
    faster than drawing everything. gif_dpi: the GIF's size (80: smaller than the window, text
    still readable); frame_ms: how long each GIF frame is shown.
    """

    def __init__(self, curves, epochs, first_epoch=0, measure=None):
        self.curves = {name: [] for name in curves}
        self.measure = dict(measure or {})
        self.passed = [name for name in curves if name not in self.measure]
        self.epochs, self.first_epoch = epochs, first_epoch
        self.fig, self.redraw, self.window, self.gif = None, None, False, None
        self.schedule = {first_epoch + epoch for epoch in frame_epochs(epochs)}
        self.background, self.layout = None, None
        self.frames = []
        self.epoch, self.drawn = None, None
        self.epochs_done = 0
        self.optimizer_watch = watch_optimizer()

    @property
    def state(self):
        """What train_model returns when Ctrl-C stops it: the curves so far, in order."""
        return tuple(self.curves.values())

    @property
    def optimizer(self):
        """The optimizer the training loop stepped first (None before its first step)."""
        return self.optimizer_watch.optimizer if self.optimizer_watch else None

    def draw(self, fig, redraw, window=False, gif=None, gif_dpi=80, frame_ms=80):
        """Redraw fig while training runs: in a window (shown now, before the first epoch), into
        the GIF at `gif`, or both."""
        import matplotlib.pyplot as plt

        if not window and gif is None:
            plt.close(fig)
            return
        self.fig, self.redraw, self.window, self.gif = fig, redraw, window, gif
        self.gif_dpi, self.frame_ms = gif_dpi, frame_ms
        if window:
            fig.canvas.mpl_connect("close_event", self.window_closed)
            fig.canvas.mpl_connect("resize_event", self.forget_background)
            plt.show(block=False)
            fig.canvas.flush_events()  # the window appears now, not after the first epoch
        else:
            plt.close(fig)  # never a window: draw off-screen only
            self.draw_offscreen()

    def update(self, epoch, *values):
        # Measured before any value is kept: Ctrl-C during a measure leaves no curve an epoch longer.
        measured = [(name, float(measure())) for name, measure in self.measure.items()]
        for name, value in zip(self.passed, values):
            self.curves[name].append(float(value))
        for name, value in measured:
            self.curves[name].append(value)
        self.epoch = epoch
        self.epochs_done += 1
        if epoch in self.schedule and (self.window or self.gif is not None):
            self.draw_frame()

    def finish(self):
        """Draw the last epoch if it was not drawn (Ctrl-C), write the GIF, close the figure."""
        import matplotlib.pyplot as plt

        if self.optimizer_watch:
            self.optimizer_watch.stop()
        if self.fig is None:
            return
        if self.epoch is not None and self.drawn != self.epoch and (self.window or self.gif):
            self.draw_frame(whole=True)
        if self.gif is not None and self.frames:
            save_gif(self.frames, self.gif, self.frame_ms)
            print(f"Saved animation to {self.gif}", flush=True)
        plt.close(self.fig)

    def is_last_frame(self, epoch):
        return epoch == max(self.schedule, default=0)

    def draw_frame(self, whole=False):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not self.window and type(self.fig.canvas) is not FigureCanvasAgg:
            self.draw_offscreen()  # the window was closed: the GIF goes on without it
        fig, canvas = self.fig, self.fig.canvas
        artists = self.redraw(self.epoch)
        for artist in artists:
            artist.set_animated(True)  # left out of full redraws: drawn by hand below
        layout = [(ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(), legend_place(ax)) for ax in fig.axes]
        if whole or self.background is None or layout != self.layout or self.is_last_frame(self.epoch):
            # First frame, window resized, an axis range changed, a legend moved, or the last frame
            # (the final figure: its legends are placed for the whole curves): draw it all once.
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
        width, height = self.fig.get_size_inches() * self.gif_dpi
        if frame.width != round(width):  # a window's canvas: shrink to the GIF size
            frame = frame.resize((round(width), round(height)), Image.Resampling.BILINEAR)
        return frame

    def draw_offscreen(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self.fig)  # draws into memory only
        self.fig.set_dpi(self.gif_dpi)
        self.background = None

    def window_closed(self, event):
        self.window = False  # closing the window stops the drawing, not the training (nor the GIF)

    def forget_background(self, event):
        self.background = None


def legend_place(ax):
    """Where the axes' legend sits (a code or a point; matplotlib has no public getter), or None."""
    legend = ax.get_legend()
    return None if legend is None else legend._loc


def watch_optimizer():
    """An OptimizerWatch where the script trains with torch (every chapter), else None
    (booktools' own test chapter trains with numpy, and need not load torch)."""
    if "torch" not in sys.modules:
        return None
    from booktools.describe import OptimizerWatch

    return OptimizerWatch()


def save_gif(frames, path, frame_ms=80):
    """A looping GIF from RGB frames; the last frame is held a while."""
    from PIL import Image

    # GIF has 256 colours: each frame gets its own palette (one palette shared by all frames
    # turned white into light grey). FASTOCTREE: 5x faster than MEDIANCUT, colours within 1-2 levels.
    images = [frame.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
              for frame in frames]
    durations = [frame_ms] * (len(images) - 1) + [GIF_HOLD_MS]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
