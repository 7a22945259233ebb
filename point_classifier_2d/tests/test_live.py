"""The figure that updates while training runs: a real window under Xvfb, and --gif."""
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from booktools.live import frame_epochs
import train
from conftest import CHAPTER_DIR, DATA_DIR

CURVE = str(DATA_DIR / "curve.csv")


def run_in_window(display, *argv, close_live_after=None):
    """Run train.py with a real TkAgg window; return (exit code, stdout, stderr, report)."""
    driver = [sys.executable, "-m", "booktools.window_driver"]
    if close_live_after is not None:
        driver += ["--close-live-after", str(close_live_after)]
    result = subprocess.run(driver + ["./src/train.py", *argv], cwd=CHAPTER_DIR,
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "DISPLAY": display, "MPLBACKEND": "TkAgg"})
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result.returncode, result.stdout, result.stderr, report


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


def assert_one_line_error(code, out, err, *words):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0]
    assert "Epoch" not in out  # checked before training


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
