"""draw.py's window driven by synthetic mouse events, as a hand would move the mouse (the tests use
these helpers too). `uv run python tests/draw_demo.py OUT.gif OUT.png [MODEL.pth ...]` draws a 4 in
two strokes and writes the window as a GIF while it is drawn and as a PNG at the end (no display
needed: matplotlib's Agg draws the same figure the window shows)."""

import sys
from pathlib import Path

import numpy as np

FOUR = [[(120, 40), (62, 175), (225, 175)], [(178, 80), (172, 255)]]  # two strokes: the answer changes


def dense(stroke, step=8):
    """The points a mouse reports while moving along the stroke (one every few pixels)."""
    points = []
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        count = max(1, int(np.hypot(x1 - x0, y1 - y0) // step))
        points += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.arange(count) / count]
    return points + [stroke[-1]]


def mouse(pad, name, x, y, ax=None):
    """A synthetic mouse event at (x, y) in ax's data coordinates (default: the drawing area)."""
    from matplotlib.backend_bases import MouseEvent

    display = (ax or pad.pad).transData.transform((x, y))
    pad.fig.canvas.callbacks.process(name, MouseEvent(name, pad.fig.canvas, *display, button=1))


def draw_digit(pad, strokes, after_move=lambda: None):
    for stroke in strokes:
        points = dense(stroke)
        mouse(pad, "button_press_event", *points[0])
        for point in points[1:]:
            mouse(pad, "motion_notify_event", *point)
            after_move()
        mouse(pad, "button_release_event", *points[-1])


def click(pad, button):
    for name in ("button_press_event", "button_release_event"):
        mouse(pad, name, 0.5, 0.5, button.ax)


def main(gif, png, model_files):
    from PIL import Image

    import draw
    from booktools.live import save_gif
    from figures.training import GIF_DPI, GIF_FRAME_MS

    args = draw.parse_args([flag for path in model_files for flag in ("--model", path)])
    pad = draw.DrawingPad(draw.load_models(args.model), args, draw.read_drawing)
    pad.fig.set_dpi(GIF_DPI)
    frames = []

    def capture():
        pad.fig.canvas.draw()
        frames.append(Image.fromarray(np.asarray(pad.fig.canvas.buffer_rgba())).convert("RGB"))

    capture()
    moves = iter(range(10 ** 6))
    draw_digit(pad, FOUR[:1], lambda: next(moves) % 3 or capture())  # every third mouse move
    for _ in range(4):  # the answer after the first stroke, held a moment
        capture()
    draw_digit(pad, FOUR[1:], lambda: next(moves) % 3 or capture())
    capture()
    save_gif(frames, gif, GIF_FRAME_MS)
    pad.fig.savefig(png, dpi=100)
    print(f"Saved {gif} ({len(frames)} frames) and {png}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    if len(sys.argv) < 3:
        sys.exit("usage: uv run python tests/draw_demo.py OUT.gif OUT.png [MODEL.pth ...]")
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
