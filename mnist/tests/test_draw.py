"""draw.py: a 1, a 7 and a 0 drawn with synthetic matplotlib events and with real mouse input
in a real window (Xvfb + xdotool), the saved PNG read again by predict.py, the pen width
measured against MNIST, and the one-line errors."""

import os
import queue
import shlex
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch
from matplotlib.backend_bases import KeyEvent

import draw
import predict
import train_cnn
import train_mlp
from conftest import CHAPTER_DIR, assert_one_line_error, assert_png
from draw_demo import click, dense, draw_digit
from handwriting import pen_drawing
from digits.mnist_data import load_mnist
from digits.own_image import prepare_grey

# The three digits of the tests, as strokes in the drawing area's pixels (280 x 280, y down).
ONE = [[(150, 40), (135, 240)]]
SEVEN = [[(70, 50), (210, 50), (120, 240)]]
ZERO = [[(140 + 60 * np.sin(a), 140 - 95 * np.cos(a)) for a in np.linspace(0, 2 * np.pi, 40)]]


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """An MLP and a CNN trained briefly on real MNIST (8,000 images): they read clear digits."""
    data = os.environ.get("MNIST_DATA_DIR")
    if not data:
        pytest.skip("MNIST_DATA_DIR is not set: draw.py is tested with models trained on real MNIST")
    folder = tmp_path_factory.mktemp("models")
    for script, epochs in ((train_mlp, "3"), (train_cnn, "2")):
        name = script.__name__
        script.main(["--data-dir", data, "--subset", "8000", "--epochs", epochs, "--no-show", "--no-live",
                     "--save-model", str(folder / f"{name}.pth"), "--save", str(folder / f"{name}.png")])
    return folder / "train_mlp.pth", folder / "train_cnn.pth"


def new_pad(model_files, *flags):
    args = draw.parse_args(["--model", str(model_files[0]), "--model", str(model_files[1]), *flags])
    pad = draw.DrawingPad(draw.load_models(args.model), args, draw.read_drawing)
    pad.fig.canvas.draw()  # as a window does before the first mouse event: axes in place
    return pad


def test_synthetic_mouse_events_draw_1_7_0(model_files, capsys, tmp_path):
    pad = new_pad(model_files, "--save", str(tmp_path / "window.png"))
    capsys.readouterr()
    for digit, strokes in ((1, ONE), (7, SEVEN), (0, ZERO)):
        draw_digit(pad, strokes)
        printed = capsys.readouterr().out.splitlines()
        assert len(printed) == 2 and all(line.startswith(f"予測: {digit}, 信頼度: ") for line in printed), printed
        assert [line.split("(")[-1] for line in printed] == ["MLP)", "CNN)"]
        # Shown: each bar chart's title and its tallest (red) bar.
        for kind, ax, bars in pad.bars:
            assert ax.get_title().startswith(f"{kind}: {digit} (")
            heights = [bar.get_height() for bar in bars]
            assert int(np.argmax(heights)) == digit and abs(sum(heights) - 1) < 1e-4
        assert pad.seen.get_array().shape == (28, 28)
        # The window inks each mouse move on its own: the same picture as all strokes drawn at once.
        assert np.array_equal(np.asarray(pad.page, dtype=np.float32), draw.render_strokes(pad.strokes))
        click(pad, pad.buttons[0])  # Clear
        assert pad.strokes == [] and pad.paper.get_array().min() == 255  # white paper again
    assert_png(tmp_path / "window.png")


def test_saved_png_round_trips_through_predict(model_files, capsys, tmp_path, outputs_dir):
    pad = new_pad(model_files)
    draw_digit(pad, SEVEN)
    seen = pad.seen.get_array().copy()
    for _ in range(2):  # the s key, then the button: two files, the first not overwritten
        pad.fig.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", pad.fig.canvas, "s"))
        click(pad, pad.buttons[1])
    printed = capsys.readouterr().out
    assert (outputs_dir / "drawing_1.png").is_file() and (outputs_dir / "drawing_2.png").is_file()
    assert "`uv run ./src/predict.py --image outputs/drawing_1.png`" in printed  # (relative: pastes as one word)
    mlp_line = next(line for line in printed.splitlines() if line.endswith("(MLP)"))

    predict.main(["--model", str(model_files[0]), "--image", str(outputs_dir / "drawing_1.png"),
                  "--save", str(tmp_path / "predicted.png")])
    answer = capsys.readouterr().out
    assert mlp_line.replace(" (MLP)", "") in answer.splitlines()  # the same answer, the same confidence
    original, image = predict.prepare_image(outputs_dir / "drawing_1.png")
    assert np.array_equal(image[0].numpy(), seen)  # the same 28x28, pixel for pixel


# In a copy of the chapter under a folder like a reader's: draw a 7, press s, then paste the printed
# command as a shell would split it (uv run: this Python), from the chapter folder.
PASTE_DRIVER = r"""
import sys
from matplotlib.backend_bases import KeyEvent
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import draw
from draw_demo import draw_digit
SEVEN = [[(70, 50), (210, 50), (120, 240)]]
args = draw.parse_args(["--model", "mnist_model.pth"])
pad = draw.DrawingPad(draw.load_models(args.model), args, draw.read_drawing)
pad.fig.canvas.draw()
draw_digit(pad, SEVEN)
pad.fig.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", pad.fig.canvas, "s"))
"""


def test_the_printed_predict_command_pastes_as_one_argument_per_word(tmp_path):
    copy = tmp_path / "読者 の 本" / "dl-book" / "mnist"
    shutil.copytree(CHAPTER_DIR / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "mnist_model.pth", "wb") as f:  # an untrained MLP: the answer only has to be the same
        torch.save({"model": "mlp", "state_dict": train_mlp.MNISTClassifier().state_dict()}, f)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    drew = subprocess.run([sys.executable, "-c", PASTE_DRIVER, str(copy / "src"), str(CHAPTER_DIR / "tests")],
                          cwd=copy, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert drew.returncode == 0, drew.stderr
    saved = next(line for line in drew.stdout.splitlines() if line.startswith("Saved your drawing to "))
    command = shlex.split(saved.split("`")[1])
    assert command[:3] == ["uv", "run", "./src/predict.py"] and command[3:] == ["--image", "outputs/drawing_1.png"]
    pasted = subprocess.run([sys.executable, *command[2:], "--no-show"], cwd=copy, env=env, capture_output=True,
                            text=True, encoding="utf-8", timeout=120)
    assert pasted.returncode == 0, pasted.stderr
    answer = next(line for line in drew.stdout.splitlines() if line.endswith("(MLP)")).replace(" (MLP)", "")
    assert answer in pasted.stdout.splitlines()  # the drawing, read again: the same answer


def test_the_window_names_every_key():
    from figures.drawing_pad import HELP
    assert all(f"{key} " in HELP for key in "csq") and "quit" in HELP


def test_layers_window_for_the_cnn(model_files, tmp_path):
    pad = new_pad(model_files, "--layers", "--save", str(tmp_path / "window.png"))
    draw_digit(pad, SEVEN)
    assert_png(tmp_path / "window_layers.png")
    titles = [ax.get_title() for ax in pad.layers_fig.axes]
    assert titles[:4] == ["input\n1 x 28x28", "conv1\n16 x 24x24", "ReLU\n16 x 24x24", "max-pool\n16 x 12x12"]
    assert titles[-2:] == ["fc\n10", "softmax\n10"]


def test_pen_width_gives_mnist_strokes(real_mnist_dir):
    """Drawings with draw.py's pen, after predict.py's preparation, have MNIST's stroke width;
    pens 25% thinner or thicker do not (so the measurement can tell)."""
    test_images, _ = load_mnist(real_mnist_dir, train=False)
    mnist_width, mnist_ink = stroke_width(test_images[:2000, 0].numpy())
    widths = {}
    for pen in (round(draw.PEN_WIDTH * 0.75), draw.PEN_WIDTH, round(draw.PEN_WIDTH * 1.25)):
        rng = np.random.default_rng(0)
        drawings = [np.asarray(pen_drawing(i % 10, rng, pen), dtype=np.float32) for i in range(200)]
        widths[pen] = stroke_width(np.stack([prepare_grey(d, "drawing")[0].numpy() for d in drawings]))
    width, ink = widths[draw.PEN_WIDTH]
    print(f"MNIST: {mnist_width:.2f} px, ink {mnist_ink:.3f}; pens: {widths}")
    assert abs(width - mnist_width) < 0.05 * mnist_width and abs(ink - mnist_ink) < 0.12 * mnist_ink
    assert all(abs(w - mnist_width) > 0.1 * mnist_width for pen, (w, _) in widths.items() if pen != draw.PEN_WIDTH)


def stroke_width(images):
    """Mean stroke width in pixels (2 x inked area / its outline's length) and mean ink per pixel."""
    ink = images > 0.5
    outline = (ink[:, 1:] != ink[:, :-1]).sum((1, 2)) + (ink[:, :, 1:] != ink[:, :, :-1]).sum((1, 2))
    return float((2 * ink.sum((1, 2)) / outline).mean()), float(images.mean())


def test_no_window_is_one_line_pointing_to_predict(model_files, capsys):
    with pytest.raises(SystemExit) as excinfo:
        draw.main(["--model", str(model_files[0])])  # the tests run with MPLBACKEND=Agg
    assert_one_line_error(excinfo, capsys, "needs a window", "uv run ./src/predict.py --image")


def test_missing_model_is_one_line_with_the_training_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(draw, "DEFAULT_MODEL", tmp_path / "mnist_model.pth")
    monkeypatch.setattr(draw, "DEFAULT_CNN_MODEL", tmp_path / "mnist_model_cnn.pth")
    with pytest.raises(SystemExit) as excinfo:
        draw.main([])
    assert_one_line_error(excinfo, capsys, "not found", "uv run ./src/train_mlp.py")
    with pytest.raises(SystemExit) as excinfo:
        draw.main(["--model", str(tmp_path / "my_cnn.pth")])
    assert_one_line_error(excinfo, capsys, "not found: ", "my_cnn.pth", "uv run ./src/train_cnn.py")


def test_layers_without_a_cnn_is_one_line(tmp_path, capsys):
    model_file = tmp_path / "mlp.pth"
    torch.save({"model": "mlp", "state_dict": train_mlp.MNISTClassifier().state_dict()}, model_file)
    with pytest.raises(SystemExit) as excinfo:
        draw.main(["--model", str(model_file), "--layers"])
    assert_one_line_error(excinfo, capsys, "--layers", "train_cnn.py")


# --- real mouse input in a real window: Xvfb (a virtual screen) and xdotool (a virtual mouse) ---

WINDOW_DRIVER = r"""
import sys
sys.path.insert(0, sys.argv[1])
import draw

answer, start = draw.DrawingPad.answer, draw.DrawingPad.__init__

def answer_and_tell(self):
    answer(self)
    print("SHOWN " + " | ".join(ax.get_title() for _, ax, _ in self.bars), flush=True)

def start_and_tell(self, *args):
    start(self, *args)
    told = []
    def tell():  # where the drawing area and the Clear button are, in the window's pixels from the top left,
        height = self.fig.bbox.height  # screen pixels (Tk may scale the figure); again whenever it changes
        boxes = [ax.get_window_extent() for ax in (self.pad, self.buttons[0].ax)]
        where = [(round(b.x0), round(height - b.y1), round(b.x1), round(height - b.y0)) for b in boxes]
        if not told or where != told[-1]:
            told.append(where)
            print("WHERE", *where[0], *where[1], flush=True)
    timer = self.fig.canvas.new_timer(interval=200)
    timer.add_callback(tell)
    timer.start()

draw.DrawingPad.answer, draw.DrawingPad.__init__ = answer_and_tell, start_and_tell
draw.main(sys.argv[2:])
"""


@pytest.fixture
def x_mouse(x_display):
    """The virtual display (conftest.py) and xdotool, which moves and presses its mouse."""
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (Debian: apt-get install xdotool); the real mouse is not tested")
    return x_display


class Lines:
    """The lines a running process prints, read in a thread: wait for the next ones with a deadline."""

    def __init__(self, stream):
        self.queue, self.seen = queue.Queue(), []
        threading.Thread(target=lambda: [self.queue.put(line.rstrip("\n")) for line in stream], daemon=True).start()

    def until(self, start, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting with {start!r} within {timeout} s; printed:\n" + "\n".join(self.seen))

    def latest(self, start):
        """The last line so far that starts with `start` (after a short wait: the window may still move)."""
        time.sleep(0.5)
        while not self.queue.empty():
            self.seen.append(self.queue.get())
        return next(line for line in reversed(self.seen) if line.startswith(start))


def test_real_mouse_in_a_real_window_draws_1_7_0(x_mouse, model_files, tmp_path):
    env = {**os.environ, "DISPLAY": x_mouse, "MPLBACKEND": "TkAgg"}
    process = subprocess.Popen([sys.executable, "-c", WINDOW_DRIVER, str(CHAPTER_DIR / "src"),
                                "--model", str(model_files[0]), "--model", str(model_files[1]),
                                "--save", str(tmp_path / "window.png")],  # the window after each answer, to look at
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        lines = Lines(process.stdout)
        lines.until("WHERE")
        window = subprocess.run(["xdotool", "search", "--sync", "--name", "^draw.py$"], env=env, capture_output=True,
                                text=True, timeout=30).stdout.split()[0]

        for digit, strokes in ((1, ONE), (7, SEVEN), (0, ZERO)):
            left, top, right, bottom, *clear = map(int, lines.latest("WHERE").split()[1:])

            def at(x, y):  # a point of the drawing area (its pixels) -> the window's pixels
                return [str(round(left + x / draw.CANVAS * (right - left))),
                        str(round(top + y / draw.CANVAS * (bottom - top)))]

            for stroke in strokes:
                points = dense(stroke)
                command = ["mousemove", "--window", window, *at(*points[0]), "mousedown", "1", "sleep", "0.2"]
                for point in points[1:]:
                    command += ["mousemove", "--window", window, *at(*point), "sleep", "0.01"]
                subprocess.run(["xdotool", *command, "mouseup", "1"], env=env, check=True, timeout=60)
            printed = [lines.until("予測: "), lines.until("予測: ")]  # printed...
            shown = lines.until("SHOWN")  # ... and shown
            assert [line.split(",")[0] for line in printed] == [f"予測: {digit}"] * 2, "\n".join(lines.seen)
            assert shown == f"SHOWN MLP: {digit} ({printed[0].split()[-2]}) | CNN: {digit} ({printed[1].split()[-2]})"
            if digit == 7 and os.environ.get("DRAW_WINDOW_PNG"):  # images/make_images.sh: the README's screenshot
                time.sleep(2)  # let Tk paint what was drawn
                subprocess.run(["import", "-window", window, os.environ["DRAW_WINDOW_PNG"]], env=env, check=True,
                               timeout=30)
            centre = [str((clear[0] + clear[2]) // 2), str((clear[1] + clear[3]) // 2)]
            subprocess.run(["xdotool", "mousemove", "--window", window, *centre, "click", "1"],
                           env=env, check=True, timeout=30)
    finally:
        process.terminate()
        errors = process.communicate(timeout=30)[1]
    assert "Traceback" not in errors, errors
