"""The live view: a figure redrawn while training runs, in a window, into an animated GIF,
or both.

matplotlib and PIL are imported inside the functions: `--help` answers without them.
"""
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


class LiveView:
    """Redraws a figure while training runs: in a window, into a GIF, or both.

        live = LiveView(fig, redraw, epochs, window=True, gif=None)
        for epoch in range(epochs):
            ...
            live.update(epoch, losses)   # calls redraw(epoch, losses) at frame_epochs() only
        live.finish()                    # draws the last frame, writes the GIF, closes the figure

    redraw() changes only what moves (image data, line data, title text) and returns those
    artists. Only they are drawn again over a saved copy of the rest of the figure
    ("blitting"), about ten times faster than drawing everything. LiveView() with no
    figure draws nothing; it still counts the epochs (for Ctrl-C) and keeps the last state.
    gif_dpi: the GIF's size (80: smaller than the window, text still readable);
    frame_ms: how long each GIF frame is shown.
    """

    def __init__(self, fig=None, redraw=None, epochs=0, window=False, gif=None, gif_dpi=80, frame_ms=80):
        import matplotlib.pyplot as plt

        self.fig, self.redraw = fig, redraw
        self.window, self.gif = window, gif
        self.gif_dpi, self.frame_ms = gif_dpi, frame_ms
        self.schedule = set(frame_epochs(epochs))
        self.background, self.layout = None, None
        self.frames = []
        self.epoch, self.state, self.drawn = None, (), None
        self.epochs_done = 0
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
        self.epochs_done += 1
        if epoch in self.schedule and (self.window or self.gif is not None):
            self.draw_frame()

    def finish(self):
        """Draw the last epoch if it was not drawn (Ctrl-C), write the GIF, close the figure."""
        import matplotlib.pyplot as plt

        if self.fig is None:
            return
        if self.epoch is not None and self.drawn != self.epoch and (self.window or self.gif):
            self.draw_frame(whole=True)
        if self.gif is not None and self.frames:
            save_gif(self.frames, self.gif, self.frame_ms)
            print(f"Saved animation to {self.gif}", flush=True)
        plt.close(self.fig)

    def draw_frame(self, whole=False):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not self.window and type(self.fig.canvas) is not FigureCanvasAgg:
            self.draw_offscreen()  # the window was closed: the GIF goes on without it
        fig, canvas = self.fig, self.fig.canvas
        artists = self.redraw(self.epoch, *self.state)
        for artist in artists:
            artist.set_animated(True)  # left out of full redraws: drawn by hand below
        layout = [(ax.get_position().bounds, ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]
        if whole or self.background is None or layout != self.layout or self.epoch == max(self.schedule):
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
