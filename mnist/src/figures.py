"""Figures of this chapter: show or save (outputs/ where no window can open), the live view
that redraws a figure while training runs, the animated GIF, axis ranges, and predict.py's two
figures. matplotlib and PIL are imported inside the functions: --help does not load them."""

import math
from pathlib import Path

import numpy as np

from cli import OUTPUT_DIR

# Backends that cannot open a window (SSH, CI, MPLBACKEND=Agg): save instead.
NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}

GIF_DPI = 100        # GIF frames at the PNG's size: its text is as readable as the PNG's
GIF_FRAME_MS = 150   # how long each GIF frame is shown
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
    """Write the figure to save_path, or to outputs/ when no window can open. Returns the path written, or None."""
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
