"""booktools.figures: a window where one can open, the chapter's outputs/ where none can;
axis ranges that stay put while a live figure's curves grow; plain numbers on log axes."""
import argparse
import math

import matplotlib.pyplot as plt
import pytest

from booktools import figures
from booktools.figures import log_range, plain_log_ticks, zero_based_range
from conftest import CHAPTER_DIR


def figure_args(tmp_path, save=None, no_show=False):
    return argparse.Namespace(save=save, no_show=no_show, chapter_dir=tmp_path / "chapter")


@pytest.fixture
def shown(monkeypatch):
    """plt.show, counted instead of opening a window."""
    calls = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: calls.append(plt.get_fignums()))
    return calls


def test_where_no_window_can_open_the_figure_goes_to_the_chapters_outputs(tmp_path, capsys, shown):
    assert not figures.can_show()  # MPLBACKEND=Agg, as over SSH or in CI
    fig, _ = plt.subplots()
    figures.show_or_save(fig, figure_args(tmp_path), "train_steps.png")
    path = tmp_path / "chapter" / "outputs" / "train_steps.png"
    assert capsys.readouterr().out == f"Saved figure to {path}\n"  # the folder is made
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert shown == [] and not plt.fignum_exists(fig.number)  # no window, and the figure is closed


def test_save_writes_the_figure_where_asked_window_or_not(tmp_path, capsys, shown, monkeypatch):
    png = tmp_path / "new" / "mine.png"
    fig, _ = plt.subplots()
    assert figures.save_figure(fig, figure_args(tmp_path, save=png), "x.png") == png
    assert capsys.readouterr().out == f"Saved figure to {png}\n" and png.read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "chapter" / "outputs").exists()

    monkeypatch.setattr(figures, "can_show", lambda: True)  # a laptop with a display
    png.unlink()
    figures.show_or_save(fig, figure_args(tmp_path, save=png), "x.png")
    assert png.exists() and len(shown) == 1 and shown[0] == [fig.number]  # saved, then shown


def test_where_a_window_can_open_nothing_is_written_unless_asked(tmp_path, capsys, shown, monkeypatch):
    monkeypatch.setattr(figures, "can_show", lambda: True)
    fig, _ = plt.subplots()
    assert figures.save_figure(fig, figure_args(tmp_path), "x.png") is None
    figures.show_figure(fig, figure_args(tmp_path))
    assert len(shown) == 1 and capsys.readouterr().out == ""
    fig, _ = plt.subplots()
    figures.show_or_save(fig, figure_args(tmp_path, no_show=True), "x.png")  # --no-show: no window either
    assert len(shown) == 1 and not plt.fignum_exists(fig.number)
    assert not (tmp_path / "chapter").exists()


def test_a_headless_run_saves_into_its_chapters_outputs_and_records_into_its_runs(chapter):
    """As the reader runs it over SSH: `python ./src/train.py ./data/steps.csv`, no flags
    (and no RUNS_DIR)."""
    result = chapter("train.py", "./data/steps.csv")
    png = chapter.folder / "outputs" / "train_steps.png"
    assert result.stdout.splitlines()[-1] == f"Saved figure to {png}" and png.read_bytes()[:4] == b"\x89PNG"
    record = chapter.folder / "runs" / "0001"
    assert (record / "figure.png").read_bytes() == png.read_bytes() and (record / "record.json").exists()


def test_no_show_where_no_window_can_open_still_saves(train_run, tmp_path):
    out, _ = train_run("--no-show")  # (with --save: never into this chapter's outputs/)
    assert out.splitlines()[-1] == f"Saved figure to {tmp_path / 'figure.png'}"
    assert (tmp_path / "figure.png").read_bytes()[:4] == b"\x89PNG"
    assert not (CHAPTER_DIR / "outputs").exists()


@pytest.mark.parametrize("values, decades, expected", [
    ([0.5, 0.02], 1, (0.01, 1.0)),
    ([0.44], 1, (0.1, 1.0)),
    ([0.44, 0.45], 2, (0.01, 1.0)),
    ([1.0], 1, (0.1, 1.0)),  # a power of ten is a limit itself
    ([0.001, 0.0001], 1, (0.0001, 0.001)),
    ([12.0, 3.0], 1, (1.0, 100.0)),
    # 0, NaN, inf and negatives (a diverging run) are left out
    ([0.0, math.nan, math.inf, -1.0, 0.05, 0.2], 1, (0.01, 1.0)),
    ([], 1, (0.1, 1.0)),
    ([math.nan, math.inf, 0.0], 1, (0.1, 1.0)),
])
def test_log_range_is_whole_powers_of_ten(values, decades, expected):
    low, high = log_range(values, decades)
    assert (low, high) == pytest.approx(expected, rel=1e-12)


def test_log_range_stays_put_while_the_values_move_inside():
    ranges = {log_range([0.9 * 0.95 ** n, 0.09]) for n in range(40)}  # a loss going down
    assert len(ranges) == 1 and ranges.pop() == pytest.approx((0.01, 1.0))


@pytest.mark.parametrize("values, step, expected", [
    ([0.3, 0.7], 0.25, (0.0, 0.75)),
    ([0.75], 0.25, (0.0, 0.75)),
    ([0.76], 0.25, (0.0, 1.0)),
    ([12, 98.6], 10, (0.0, 100.0)),
    ([0.0], 0.5, (0.0, 0.5)),  # never a range of zero height
    ([-3.0], 0.5, (0.0, 0.5)),
    ([], 0.5, (0.0, 0.5)),
    ([math.nan, math.inf, 0.2, -math.inf], 0.5, (0.0, 0.5)),
])
def test_zero_based_range(values, step, expected):
    assert zero_based_range(values, step) == pytest.approx(expected)


def tick_labels(ax):
    ax.figure.canvas.draw()  # tick labels exist only once drawn
    low, high = ax.get_ylim()
    return {tick.get_text() for tick in ax.get_yticklabels() + ax.get_yticklabels(minor=True)
            if tick.get_text() and low <= tick.get_position()[1] <= high}


def test_log_ticks_are_plain_numbers_and_a_plateau_can_be_read_off():
    fig, ax = plt.subplots()
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_ylim(0.001, 1.0)  # three powers of ten: only they are labelled
    assert tick_labels(ax) == {"0.001", "0.01", "0.1", "1"}
    ax.set_ylim(0.29, 0.71)  # a plateau at 0.44: the ticks in between are labelled too
    assert {"0.3", "0.4", "0.5", "0.6", "0.7"} <= tick_labels(ax)
    ax.set_ylim(20, 3000)
    assert {"100", "1000"} <= tick_labels(ax)
    plt.close(fig)
