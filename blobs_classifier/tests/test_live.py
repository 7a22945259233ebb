"""The figure that updates while training runs: a real window under Xvfb, and --gif."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import train
from booktools.live import frame_epochs
from figures.points import class_rgb
from figures.training import FIGSIZE, SHADE_STRONGEST
from conftest import CHAPTER_DIR


def run_in_window(display, *argv):
    """Run train.py with a real TkAgg window; return (exit code, stdout, stderr, report)."""
    result = subprocess.run(
        [sys.executable, "-m", "booktools.window_driver", "./src/train.py", *argv],
        cwd=CHAPTER_DIR, capture_output=True, text=True, timeout=600,
        env={**os.environ, "DISPLAY": display, "MPLBACKEND": "TkAgg"})
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result.returncode, result.stdout, result.stderr, report


def test_window_updates_while_training(x_display, tmp_path):
    png = tmp_path / "final.png"
    code, out, err, report = run_in_window(x_display, "--epochs", "200", "--predict", "1.5", "-3.0",
                                           "--save", str(png))
    assert code == 0, err
    assert "Traceback" not in err
    assert report["blits"] >= len(frame_epochs(200))
    assert report["blits_on_screen"] > 1
    assert report["final_windows"] == 1
    assert "Validation Loss:" in out and f"Saved figure to {png}" in out


def run_gif(run_args, tmp_path, capsys):
    gif, png = tmp_path / "blobs.gif", tmp_path / "blobs.png"
    train.main(run_args + ["--gif", str(gif), "--save", str(png)])
    out = capsys.readouterr().out
    assert f"Saved animation to {gif}" in out
    with Image.open(gif) as animation:
        assert animation.format == "GIF" and animation.info["loop"] == 0
        frames = []
        for number in range(animation.n_frames):
            animation.seek(number)
            frames.append(animation.convert("RGB"))
        assert animation.info["duration"] >= 1500  # the last frame is held
    return frames, Image.open(png).convert("RGB").resize(frames[-1].size, Image.Resampling.BILINEAR)


def nearest_class(image, classes):
    """Each pixel of the left half: the class whose shading colour it is (the shading is a
    class colour blended into white, so 255 - pixel points the way of 255 - that colour);
    and whether it is shading at all (not a point, a ring or text)."""
    ink = 255 - np.asarray(image, dtype=float)[:, : image.width // 2]
    ways = 1 - class_rgb(classes)
    ways /= np.linalg.norm(ways, axis=1, keepdims=True)
    along = ink @ ways.T  # how far along each class's way
    off = np.linalg.norm(ink[:, :, None, :] - along[..., None] * ways[None, None], axis=-1)
    strong = along.max(axis=-1) <= 255 * SHADE_STRONGEST * 1.1 + 8
    return off.argmin(axis=-1), (off.min(axis=-1) < 6) & strong & (ink.sum(axis=-1) > 6)


def test_gif_frames_and_its_last_frame_shows_the_final_regions(tmp_path, capsys):
    frames, final = run_gif(["--epochs", "300"], tmp_path, capsys)
    assert len(frames) == len(frame_epochs(300))
    expected, pale = nearest_class(final, 3)
    last, last_pale = nearest_class(frames[-1], 3)
    first, _ = nearest_class(frames[0], 3)
    both = pale & last_pale  # the shading, not points or text
    assert both.mean() > 0.2
    assert (last[both] == expected[both]).mean() > 0.97
    # The regions of epoch 1 are not those of the end (the test can tell them apart).
    assert (first[both] == expected[both]).mean() < 0.9


def test_gif_last_frame_keeps_the_axes_of_the_frame_before(tmp_path, capsys):
    """Only what is inside the axes changes from one frame to the next: the tick labels
    under both plots and those between them stay put (no jump at the end)."""
    frames, _ = run_gif([], tmp_path, capsys)
    before, last = (np.asarray(frame, dtype=int) for frame in frames[-2:])
    changed = np.abs(last - before).sum(axis=-1) > 30
    height, width = changed.shape
    assert changed.any()  # the curves did move
    assert not changed[int(0.9 * height):].any()  # x tick labels and axis labels
    assert not changed[:, int(0.46 * width):int(0.53 * width)].any()  # colour key, loss's y ticks
    # Text is drawn at least 9 pixels high at the GIF's size (10 pt at the GIF's dots per inch).
    dpi = frames[-1].width / FIGSIZE[0]
    assert dpi * 10 / 72 >= 9 and frames[-1].width >= 900


def test_gif_with_three_features_has_no_regions_but_runs(tmp_path, capsys):
    frames, _ = run_gif(["--features", "3", "--epochs", "30"], tmp_path, capsys)
    assert len(frames) == 30


@pytest.mark.parametrize("name, words", [
    ("anim.png", "--gif needs a .gif file name"),
    ("no_such_folder/anim.gif", "does not exist"),
])
def test_bad_gif_values_exit_2_with_one_line(capsys, tmp_path, name, words):
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--gif", str(tmp_path / name)])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error:") and words in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Epoch" not in captured.out


def test_gif_never_overwrites_a_file_that_is_not_a_gif(capsys, tmp_path):
    picture = tmp_path / "holiday.gif"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n not a gif")
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--gif", str(picture)])
    assert exit_info.value.code == 2
    assert "is not a GIF" in capsys.readouterr().err
    assert picture.read_bytes() == b"\x89PNG\r\n\x1a\n not a gif"
