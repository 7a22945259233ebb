"""The live figure in a real window (TkAgg under a virtual X display, Xvfb): shown at once,
redrawn by blitting while training runs, closed by the reader without stopping anything."""
import json
import os
import subprocess
import sys

from PIL import Image

from booktools.live import frame_epochs
from conftest import epoch_losses


def run_in_window(display, chapter, *argv, close_live_after=None):
    """Run the chapter copy's train.py with a real window; return (stdout, stderr, report)."""
    driver = [sys.executable, "-m", "booktools.window_driver"]
    if close_live_after is not None:
        driver += ["--close-live-after", str(close_live_after)]
    result = subprocess.run(driver + ["./src/train.py", "./data/steps.csv", *argv], cwd=chapter.folder,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "DISPLAY": display, "MPLBACKEND": "TkAgg"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout, result.stderr, json.loads(result.stderr.strip().splitlines()[-1])


def test_the_window_opens_at_once_and_is_redrawn_while_training(x_display, chapter, runs_dir):
    out, _, report = run_in_window(x_display, chapter, "--epochs", "200")
    assert report["shown_at_start"] is True  # on the screen before the first epoch
    # One blit per frame (and one per full redraw), with the window on the screen.
    assert report["blits"] >= len(frame_epochs(200))
    assert report["blits_on_screen"] >= len(frame_epochs(200))
    # At the end only the final figure is open; a window could open, so nothing is written.
    assert report["final_windows"] == 1
    assert "Saved figure" not in out and not (chapter.folder / "outputs").exists()
    assert [epoch for epoch, _ in epoch_losses(out)][-1] == 190
    assert (runs_dir / "0001" / "figure.png").read_bytes()[:4] == b"\x89PNG"  # recorded all the same


def test_closing_the_window_stops_drawing_not_training(x_display, chapter, tmp_path, runs_dir):
    gif = tmp_path / "run.gif"
    out, _, report = run_in_window(x_display, chapter, "--epochs", "200", "--gif", str(gif),
                                   "--save", str(tmp_path / "final.png"), close_live_after=5)
    assert report["closed_live"]
    assert report["blits_after_close"] == 0  # nothing drawn into the closed window
    # Training went on to the end, and so did the GIF: every frame, at the GIF's size.
    assert [epoch for epoch, _ in epoch_losses(out)][-1] == 190
    assert f"Saved animation to {gif}" in out and f"Saved figure to {tmp_path / 'final.png'}" in out
    with Image.open(gif) as animation:
        assert animation.n_frames == len(frame_epochs(200)) and animation.size == (480, 320)
    assert json.loads((runs_dir / "0001" / "record.json").read_text(encoding="utf-8"))["epochs_run"] == 200


def test_no_live_shows_only_the_final_window(x_display, chapter):
    out, _, report = run_in_window(x_display, chapter, "--epochs", "200", "--no-live")
    assert report["shown_at_start"] is None  # no live window
    assert report["final_windows"] == 1
    assert report["blits"] < len(frame_epochs(200))  # the final window's own drawing at most
    assert "Saved figure" not in out
