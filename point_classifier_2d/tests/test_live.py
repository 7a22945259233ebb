"""The figure that updates while training runs: a real window under Xvfb, and --gif."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from booktools.live import frame_epochs
import train
from conftest import CHAPTER_DIR, DATA_DIR

CURVE = str(DATA_DIR / "curve.csv")


def run_in_window(display, *argv, close_live_after=None):
    """Run train.py with a real TkAgg window; return (exit code, stdout, stderr, report)."""
    driver = [sys.executable, str(CHAPTER_DIR / "tests" / "window_driver.py")]
    if close_live_after is not None:
        driver += ["--close-live-after", str(close_live_after)]
    result = subprocess.run(driver + ["./src/train.py", *argv], cwd=CHAPTER_DIR,
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "DISPLAY": display, "MPLBACKEND": "TkAgg"})
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result.returncode, result.stdout, result.stderr, report


def test_window_updates_while_training(x_display, tmp_path):
    png = tmp_path / "final.png"
    code, out, err, report = run_in_window(x_display, CURVE, "complex", "--epochs", "301",
                                           "--save", str(png))
    assert code == 0, err
    assert "Traceback" not in err
    # One blit per frame (and one per full redraw), with the window on the screen.
    assert report["blits"] >= len(frame_epochs(301))
    assert report["blits_on_screen"] > 1
    # At the end only the final figure is open, and it was saved as without a window.
    assert report["final_windows"] == 1
    assert f"Saved figure to {png}" in out and png.stat().st_size > 10_000


def test_closing_the_window_stops_drawing_not_training(x_display, tmp_path):
    gif = tmp_path / "run.gif"
    code, out, err, report = run_in_window(x_display, CURVE, "complex", "--epochs", "301",
                                           "--gif", str(gif), close_live_after=5)
    assert code == 0, err
    assert "Traceback" not in err
    assert report["closed_live"]
    assert report["blits_after_close"] == 0  # nothing drawn into the closed window
    # Training went on to the end, and so did the GIF: every frame, epoch 300 the last.
    with Image.open(gif) as animation:
        assert animation.n_frames == len(frame_epochs(301))


def test_no_live_draws_only_the_final_figure(x_display):
    code, _, err, report = run_in_window(x_display, CURVE, "simple", "--epochs", "301",
                                         "--no-live")
    assert code == 0, err
    assert report["final_windows"] == 1
    # Only the final window's own drawing (a few blits at most), no frames.
    assert report["blits"] < len(frame_epochs(301))


def shade_classes(image):
    """Each pixel: +1 reddish, -1 bluish, 0 neither (white, grey, black)."""
    rgb = np.asarray(image.convert("RGB"), dtype=int)
    red, blue = rgb[..., 0], rgb[..., 2]
    return np.sign(red - blue) * (abs(red - blue) > 20)


def test_gif_frames_and_its_last_frame_is_the_final_figure(run_main, tmp_path):
    gif, png = tmp_path / "curve.gif", tmp_path / "curve.png"
    code, out, err = run_main(train.main, CURVE, "complex", "--epochs", "301",
                              "--gif", str(gif), "--save", str(png))
    assert code == 0, err
    assert f"Saved animation to {gif}" in out
    with Image.open(gif) as animation:
        assert animation.format == "GIF"
        assert animation.info["loop"] == 0
        frames = []
        for number in range(animation.n_frames):
            animation.seek(number)
            frames.append((animation.convert("RGB"), animation.info["duration"]))
    assert len(frames) == len(frame_epochs(301))
    assert frames[-1][1] >= 1500 and frames[0][1] < 200  # the result is held on screen

    # The region panel (left 40%) of the last frame against the saved final figure:
    # the same red/blue shading and boundary. The first frame (epoch 0) is not.
    final = Image.open(png).resize(frames[-1][0].size, Image.Resampling.BILINEAR)
    left = slice(0, int(0.4 * final.width))
    expected = shade_classes(final)[:, left]
    last = shade_classes(frames[-1][0])[:, left]
    first = shade_classes(frames[0][0])[:, left]
    assert (expected != 0).mean() > 0.5  # mostly shaded: the comparison means something
    assert (last == expected).mean() > 0.93  # (anti-aliased edges differ a little)
    assert (last * expected == -1).mean() < 0.01  # red where blue: almost nowhere
    assert (first == expected).mean() < 0.8


def test_short_run_draws_every_epoch_long_run_about_50_frames():
    assert frame_epochs(5) == [0, 1, 2, 3, 4]
    epochs = frame_epochs(20001)
    assert 40 <= len(epochs) <= 80
    assert epochs[:4] == [0, 1, 2, 3] and epochs[-1] == 20000
    assert all(a < b for a, b in zip(epochs, epochs[1:]))


def assert_one_line_error(code, out, err, *words):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0]
    assert "Epoch" not in out  # checked before training


@pytest.mark.parametrize("name, words", [
    ("anim.png", ["--gif needs a .gif file name"]),
    ("anim", ["--gif needs a .gif file name"]),
    ("no_such_folder/anim.gif", ["no_such_folder", "does not exist"]),
])
def test_bad_gif_values(run_main, tmp_path, name, words):
    code, out, err = run_main(train.main, CURVE, "simple", "--gif", str(tmp_path / name))
    assert_one_line_error(code, out, err, *words)


def test_gif_never_overwrites_a_file_that_is_not_a_gif(run_main, tmp_path):
    notes = tmp_path / "notes.gif"
    notes.write_text("my notes\n", encoding="utf-8")
    code, out, err = run_main(train.main, CURVE, "simple", "--gif", str(notes))
    assert_one_line_error(code, out, err, "is not a GIF")
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_gif_that_is_a_folder(run_main, tmp_path):
    (tmp_path / "frames.gif").mkdir()
    code, out, err = run_main(train.main, CURVE, "simple", "--gif", str(tmp_path / "frames.gif"))
    assert_one_line_error(code, out, err, "is a folder")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write into any folder")
def test_gif_in_a_folder_that_cannot_be_written(run_main, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, out, err = run_main(train.main, CURVE, "simple", "--gif", str(locked / "a.gif"))
    assert_one_line_error(code, out, err, "cannot write into folder")


def test_gif_from_an_earlier_run_is_replaced(run_main, tmp_path):
    gif = tmp_path / "run.gif"
    Image.new("RGB", (4, 4)).save(gif)
    code, _, err = run_main(train.main, CURVE, "simple", "--epochs", "3", "--gif", str(gif),
                            "--no-show", "--save", str(tmp_path / "run.png"))
    assert code == 0, err
    with Image.open(gif) as animation:
        assert animation.size != (4, 4) and animation.n_frames == 3


def test_ctrl_c_still_writes_the_gif_up_to_where_training_stopped(run_main, tmp_path, monkeypatch):
    calls = []
    real_loss = train.torch.nn.BCELoss.forward

    def loss(self, *args):  # Ctrl-C in the 40th epoch
        calls.append(1)
        if len(calls) == 40:
            raise KeyboardInterrupt
        return real_loss(self, *args)

    monkeypatch.setattr(train.torch.nn.BCELoss, "forward", loss)
    gif = tmp_path / "stopped.gif"
    code, out, err = run_main(train.main, CURVE, "complex", "--epochs", "301", "--gif", str(gif),
                              "--save", str(tmp_path / "stopped.png"))
    assert code == 0, err
    assert "Interrupted after 39 epochs: showing what was learned so far." in out
    # The frames drawn so far, plus one of epoch 38 (the last one trained) if it had none.
    scheduled = frame_epochs(301)
    drawn = [epoch for epoch in scheduled if epoch <= 38]
    with Image.open(gif) as animation:
        assert animation.n_frames == len(drawn) + (38 not in scheduled)
