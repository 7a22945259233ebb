"""draw.py's window: the drawing area inked as the mouse moves, the 28x28 image the models see,
one bar chart of probabilities per model, the Clear and Save buttons, and the --layers window."""

import numpy as np
import torch
from PIL import Image, ImageDraw

from flags.chapter import typed

CANVAS = 280  # the drawing area in pixels: 10 x MNIST's 28
HELP = "keys: c clear, s save PNG (for predict.py --image), q quit"


def ink(draw, points, pen_width):
    """A round pen along the points: a line between each two, a dot on each (round ends, no gaps
    where a fast stroke turns). The window inks each new piece of a stroke the same way."""
    radius = pen_width / 2
    for start, end in zip(points, points[1:]):
        draw.line([tuple(start), tuple(end)], fill=0, width=pen_width)
    for x, y in points:
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=0)


def next_free(folder, stem):
    """outputs/drawing_1.png, drawing_2.png, ...: the first name not taken, so nothing is overwritten."""
    number = 1
    while (folder / f"{stem}_{number}.png").exists():
        number += 1
    return folder / f"{stem}_{number}.png"


class DrawingPad:
    """The window: the drawing area, the 28x28 image the models see, one bar chart per model,
    and the Clear and Save buttons (keys c and s; q closes the window, as in every matplotlib window). read_drawing(models, pixels) gives the 28x28
    image and each model's answer (draw.py's)."""

    def __init__(self, models, args, read_drawing):
        import matplotlib.pyplot as plt
        from matplotlib.widgets import Button

        for keymap, key in (("keymap.save", "s"), ("keymap.back", "c")):  # our keys, not matplotlib's
            if key in plt.rcParams[keymap]:
                plt.rcParams[keymap].remove(key)
        self.models, self.args, self.read_drawing = models, args, read_drawing
        self.strokes, self.drawing = [], False
        self.new_paper()
        self.fig = plt.figure(figsize=(5.4 + 3.2 * len(models), 4.8))  # wider than Tk's toolbar
        grid = self.fig.add_gridspec(1, 2 + len(models), width_ratios=[1.6, 1] + [1.2] * len(models),
                                     left=0.05, right=0.98, bottom=0.2, top=0.86, wspace=0.35)
        self.pad = self.fig.add_subplot(grid[0])
        self.paper = self.pad.imshow(np.asarray(self.page), cmap="gray", vmin=0, vmax=255,
                                     extent=(0, CANVAS, CANVAS, 0))
        self.pad.set_title("Draw a digit here (mouse)")
        self.pad.set_xlabel("x (pixels)")
        self.pad.set_ylabel("y (pixels)")
        self.seen_ax = self.fig.add_subplot(grid[1])
        self.seen = self.seen_ax.imshow(np.zeros((28, 28)), cmap="gray", vmin=0, vmax=1)
        self.seen_ax.set_title("What the models see\n(28x28, as predict.py)")
        self.seen_ax.set_xlabel("x (pixels)")
        self.seen_ax.set_ylabel("y (pixels)")
        self.bars = []
        for i, (kind, _) in enumerate(models):
            ax = self.fig.add_subplot(grid[2 + i])
            bars = ax.bar(range(10), np.zeros(10), color="blue")
            ax.set_xticks(range(10))
            ax.set_ylim(0, 1)
            ax.set_xlabel("Digit")
            ax.set_ylabel("Probability (softmax)")
            ax.set_title(f"{kind}: draw a digit")
            self.bars.append((kind, ax, bars))
        self.fig.suptitle(f"draw.py: draw a digit; the {' and the '.join(kind for kind, _ in models)} "
                          "read it after every stroke")
        self.status = self.fig.text(0.05, 0.03, HELP, fontsize=9)
        self.buttons = [Button(self.fig.add_axes([0.62, 0.02, 0.16, 0.07]), "Clear (c)"),
                        Button(self.fig.add_axes([0.80, 0.02, 0.16, 0.07]), "Save PNG (s)")]
        self.buttons[0].on_clicked(lambda event: self.clear())
        self.buttons[1].on_clicked(lambda event: self.save())
        self.layers_fig = plt.figure(figsize=(15, 4.2)) if args.layers else None
        if self.layers_fig is not None:
            self.layers_fig.text(0.5, 0.5, "Draw a digit: every layer of the CNN appears here", ha="center")
        canvas = self.fig.canvas
        canvas.manager.set_window_title("draw.py")
        canvas.mpl_connect("button_press_event", self.press)
        canvas.mpl_connect("motion_notify_event", self.move)
        canvas.mpl_connect("button_release_event", self.release)
        canvas.mpl_connect("key_press_event", self.key)
        canvas.mpl_connect("draw_event", self.remember_background)
        self.background = None

    def press(self, event):
        if (event.inaxes is self.pad and event.button == 1 and event.xdata is not None
                and not self.fig.canvas.widgetlock.locked()):  # not while the toolbar's zoom or pan is on
            self.drawing = True
            self.strokes.append([(event.xdata, event.ydata)])
            self.add_ink(self.strokes[-1])

    def move(self, event):
        if self.drawing and event.inaxes is self.pad and event.xdata is not None:
            self.strokes[-1].append((event.xdata, event.ydata))
            self.add_ink(self.strokes[-1][-2:])

    def release(self, event):
        if self.drawing:
            self.drawing = False
            self.answer()

    def key(self, event):
        if event.key == "c":
            self.clear()
        elif event.key == "s":
            self.save()

    def new_paper(self):
        self.page = Image.new("L", (CANVAS, CANVAS), 255)  # the drawing so far, as render_strokes() draws it

    def add_ink(self, points):
        """Only the new piece of the stroke is inked, and only the drawing area is drawn again
        ("blitting"): drawing the whole window at every mouse move was so slow on a busy CPU that
        the window missed most moves, and a 0 came out as a thin triangle."""
        ink(ImageDraw.Draw(self.page), points, self.args.pen_width)
        self.paper.set_data(np.asarray(self.page))
        canvas = self.fig.canvas
        if self.background is None:  # not drawn yet
            canvas.draw_idle()
            return
        canvas.restore_region(self.background)
        self.pad.draw_artist(self.paper)
        canvas.blit(self.pad.bbox)

    def remember_background(self, event):
        self.background = self.fig.canvas.copy_from_bbox(self.pad.bbox)

    def answer(self):
        """After a stroke: prepare the drawing as predict.py does, ask each model, show and print."""
        image, answers = self.read_drawing(self.models, np.asarray(self.page, dtype=np.float32))
        self.seen.set_data(image[0].numpy())
        for (kind, ax, bars), (prediction, probabilities) in zip(self.bars, answers):
            for digit, bar in enumerate(bars):
                bar.set_height(probabilities[digit].item())
                bar.set_color("red" if digit == prediction else "blue")
            ax.set_title(f"{kind}: {prediction} ({probabilities[prediction].item():.2f})")
        self.status.set_text(HELP)  # not "Cleared" or "Saved" any more
        if self.layers_fig is not None:
            from figures.layers import cnn_stages, draw_layers
            cnn = next(model for kind, model in self.models if kind == "CNN")
            with torch.no_grad():
                stages = cnn_stages(cnn, image)
            draw_layers(self.layers_fig, [("your drawing", stages)], "What train_cnn.py's CNN sees in your drawing, "
                        "layer by layer")
            self.layers_fig.canvas.draw_idle()
        self.fig.canvas.draw_idle()
        if self.args.save is not None:
            self.fig.savefig(self.args.save, dpi=100)
            if self.layers_fig is not None:
                self.layers_fig.savefig(self.args.save.with_name(self.args.save.stem + "_layers.png"), dpi=100)

    def clear(self):
        self.strokes, self.drawing = [], False
        self.new_paper()
        self.paper.set_data(np.asarray(self.page))
        self.status.set_text("Cleared: draw a new digit")
        self.fig.canvas.draw_idle()

    def save(self):
        if not self.strokes:
            self.status.set_text("Nothing to save yet: draw a digit first")
        else:
            path = next_free(self.args.chapter_dir / "outputs", "drawing")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.save(path)
            print(f"Saved your drawing to {path}; read it again with "
                  f"`uv run ./src/predict.py --image {typed(path, self.args.chapter_dir)}`", flush=True)
            self.status.set_text(f"Saved {path.name} in outputs/")
        self.fig.canvas.draw_idle()
