"""Figures: show a figure or save it where no window can open, the live view that
redraws a figure while training runs, and the animated GIF.

matplotlib and PIL are imported where a figure is made: `--help` answers without them.
"""
import numpy as np

from cli import OUTPUT_DIR

# Backends that cannot open a window (SSH, CI, MPLBACKEND=Agg): save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}

GIF_DPI = 80         # GIF frames are drawn smaller than the window (920 x 416), text readable
GIF_FRAME_MS = 80    # how long each GIF frame is shown
GIF_HOLD_MS = 2000   # ... and the last one, so the result can be looked at


def can_show():
    """True when matplotlib can open a window here (not SSH, CI or MPLBACKEND=Agg)."""
    import matplotlib.pyplot as plt
    return plt.get_backend().lower() not in NON_INTERACTIVE


def show_or_save(fig, save_path, no_show, default_name):
    """Save the figure when asked or when no window can open, then show it."""
    save_figure(fig, save_path, default_name)
    show_figure(fig, no_show)


def save_figure(fig, save_path, default_name):
    """Write the figure to save_path, or to outputs/ when no window can open.
    Returns the path written, or None."""
    if save_path is None and not can_show():
        save_path = OUTPUT_DIR / default_name
    if save_path is not None:
        save_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_path, dpi=100)
        print(f"Saved figure to {save_path}", flush=True)
    return save_path


def show_figure(fig, no_show):
    """Open the window (where one can open and --no-show was not given), then close the figure."""
    import matplotlib.pyplot as plt
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
