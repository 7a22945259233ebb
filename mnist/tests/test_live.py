"""The live figure: --gif files (headless), bad --gif values, and a real window under Xvfb."""

import os
import subprocess
import sys

import numpy as np
from PIL import Image

import train
import train_mlp
from conftest import CHAPTER_DIR, numbers
from figures.training import GIF_DPI
from test_train import EPOCH_LINE

GIF_MAGIC = (b"GIF87a", b"GIF89a")


def gif_frames(path):
    """All frames of a GIF as RGB arrays, and each frame's duration in ms."""
    assert path.read_bytes()[:6] in GIF_MAGIC
    frames, durations = [], []
    with Image.open(path) as gif:
        assert gif.info.get("loop") == 0  # loops forever
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB"), dtype=float))
            durations.append(gif.info["duration"])
    return frames, durations


def difference(a, b):
    """Share of pixels that differ clearly (GIF colours are close, not exact)."""
    assert a.shape == b.shape
    return float((np.abs(a - b).max(axis=2) > 40).mean())


def test_gif_of_the_cnn_ends_on_the_final_figure(mnist_dir, tmp_path, capsys):
    # (GIF frames are drawn at the PNG's resolution: the last one is compared pixel by pixel)
    gif, png = tmp_path / "curves.gif", tmp_path / "curves.png"
    train.main(["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "6", "--batch-size", "16",
                "--gif", str(gif), "--save", str(png), "--no-show"])
    out = capsys.readouterr().out
    assert len(numbers(EPOCH_LINE, out)) == 6
    assert f"Saved animation to {gif}" in out and f"Saved figure to {png}" in out
    frames, durations = gif_frames(gif)
    assert len(frames) == 6  # a short run: one frame per epoch
    assert durations[-1] >= 1500 > durations[0]  # the result is held on screen
    final = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    assert difference(frames[-1], final) < 0.005  # (a spine may sit one pixel off)
    assert difference(frames[0], final) > 0.01  # the curves really grew
    assert all(difference(a, b) > 0.001 for a, b in zip(frames, frames[1:]))


def test_gif_of_the_mlp_ends_on_the_final_figure(mnist_dir, tmp_path, capsys):
    gif, png = tmp_path / "mlp.gif", tmp_path / "mlp.png"
    train_mlp.main(["--data-dir", str(mnist_dir), "--epochs", "4", "--gif", str(gif), "--save", str(png),
                    "--save-model", str(tmp_path / "m.pth"), "--no-show"])
    assert f"Saved animation to {gif}" in capsys.readouterr().out
    frames, _ = gif_frames(gif)
    assert len(frames) == 4
    final = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    assert difference(frames[-1], final) < 0.005  # (a spine may sit one pixel off)
    assert difference(frames[0], final) > 0.01


def test_gif_has_the_default_size_and_replaces_an_old_gif(mnist_dir, tmp_path, capsys):
    gif = tmp_path / "old.gif"
    Image.new("RGB", (10, 10)).save(gif)  # an earlier animation may be replaced
    train.main(["--data-dir", str(mnist_dir), "--train-size", "40", "--epochs", "3", "--gif", str(gif),
                "--save", str(tmp_path / "c.png"), "--no-show"])
    frames, _ = gif_frames(gif)
    assert len(frames) == 3 and frames[0].shape == (5 * GIF_DPI, 8 * GIF_DPI, 3)
    assert not (CHAPTER_DIR / "outputs" / "train.gif").exists()


def test_ctrl_c_keeps_the_frames_so_far(mnist_dir, tmp_path, capsys, monkeypatch):
    class StoppedInEpoch3(train.Mnist):
        tests = 0

        def forward(self, data):
            if not self.training:  # one test batch per epoch (24 test images)
                StoppedInEpoch3.tests += 1
                if StoppedInEpoch3.tests == 4:
                    raise KeyboardInterrupt  # as Ctrl-C would
            return super().forward(data)

    monkeypatch.setattr(train, "Mnist", StoppedInEpoch3)
    gif, png = tmp_path / "stopped.gif", tmp_path / "stopped.png"
    train.main(["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "6", "--batch-size", "16",
                "--gif", str(gif), "--save", str(png), "--no-show"])
    out = capsys.readouterr().out
    assert "Interrupted after 3 epochs" in out
    assert f"Saved animation to {gif}" in out and f"Saved figure to {png}" in out
    frames, _ = gif_frames(gif)
    assert len(frames) == 3


def test_ctrl_c_in_the_first_epoch_of_train_mlp_still_tests_saves_and_draws(mnist_dir, tmp_path, capsys,
                                                                            monkeypatch):
    class StoppedInEpoch1(train_mlp.MNISTClassifier):
        validations = 0

        def forward(self, x):
            if not self.training:
                StoppedInEpoch1.validations += 1
                if StoppedInEpoch1.validations == 1:  # the first validation batch: no epoch has ended
                    raise KeyboardInterrupt  # as Ctrl-C would
            return super().forward(x)

    monkeypatch.setattr(train_mlp, "MNISTClassifier", StoppedInEpoch1)
    model, png = tmp_path / "m.pth", tmp_path / "m.png"
    train_mlp.main(["--data-dir", str(mnist_dir), "--epochs", "3", "--save-model", str(model), "--save", str(png),
                    "--no-show"])
    out = capsys.readouterr().out
    assert "Interrupted after 0 epochs: showing what was learned so far." in out
    assert "Test Loss: " in out and f"Saved model to {model}" in out and f"Saved figure to {png}" in out
    assert not numbers(r"Epoch (\d+):", out)


# Runs train.py in a fresh process with a real Tk window; counts the window's updates
# and closes the final (blocking) window from a timer, as a reader would close it.
WINDOW_DRIVER = """
import sys
import matplotlib.pyplot as plt
from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg

updates = []
real_blit, real_show = FigureCanvasTkAgg.blit, plt.show

def counting_blit(canvas, bbox=None):
    real_blit(canvas, bbox)
    if bbox is None:
        return  # a full redraw of the window, not a live update
    updates.append(canvas.get_tk_widget().winfo_ismapped())
    if len(updates) == int(sys.argv[1]):  # the reader closes the live window during training:
        canvas.get_tk_widget().after_idle(plt.close, canvas.figure)  # seen at the window's next event check

def show_then_close(*args, block=None):
    if block is False:  # the live window opening
        return real_show(block=False)
    print(f"FINAL WINDOW after {len(updates)} updates, {sum(updates)} on screen", flush=True)
    timer = plt.gcf().canvas.new_timer(interval=300)
    timer.add_callback(plt.close, "all")
    timer.start()
    real_show()

FigureCanvasTkAgg.blit = counting_blit
plt.show = show_then_close
sys.path.insert(0, sys.argv[2])
import train
train.main(sys.argv[3:])
print("EXITED CLEANLY", flush=True)
"""


def run_in_window(display, mnist_dir, close_after, *extra):
    env = {**os.environ, "DISPLAY": display, "MPLBACKEND": "TkAgg"}
    argv = ["--data-dir", str(mnist_dir), "--train-size", "all", "--epochs", "5", "--batch-size", "16", *extra]
    return subprocess.run([sys.executable, "-c", WINDOW_DRIVER, str(close_after), str(CHAPTER_DIR / "src"), *argv],
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_no_live_shows_only_the_final_window(x_display, mnist_dir):
    result = run_in_window(x_display, mnist_dir, 0, "--no-live")
    assert result.returncode == 0, result.stderr
    assert "FINAL WINDOW after 0 updates" in result.stdout
    assert "EXITED CLEANLY" in result.stdout
