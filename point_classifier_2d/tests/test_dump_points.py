import importlib.util

import numpy as np
import pytest

import dump_points
from conftest import CHAPTER_DIR, DATA_DIR


def test_dump_points_saves_the_scatter_plot(run_main, tmp_path):
    png = tmp_path / "points.png"
    code, out, err = run_main(dump_points.main, str(DATA_DIR / "linear.csv"), "--save", str(png))
    assert code == 0, err
    assert out.strip() == f"Saved figure to {png}"
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000


def test_headless_run_saves_into_outputs(run_main):
    code, out, _ = run_main(dump_points.main, str(DATA_DIR / "curve.csv"))
    assert code == 0
    saved = CHAPTER_DIR / "outputs" / "points_curve.png"
    assert out.strip() == f"Saved figure to {saved}"
    assert saved.exists()


def test_data_files_match_the_book():
    for name in ["linear", "curve", "random"]:
        data = np.loadtxt(DATA_DIR / f"{name}.csv", delimiter=",")
        assert data.shape == (200, 3)
        assert ((data[:, :2] >= 0) & (data[:, :2] <= 1)).all()
        assert set(np.unique(data[:, 2])) == {0.0, 1.0}


def load_make_data():
    spec = importlib.util.spec_from_file_location("make_data", DATA_DIR / "make_data.py")
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    return make_data


@pytest.mark.parametrize("name, boundary", [("linear", "line"), ("curve", "wave")])
def test_a_few_points_sit_on_the_wrong_side(name, boundary):
    # As in the book: mostly "above the boundary = 1", but some points close
    # to the boundary carry the other label, and none far from it.
    data = np.loadtxt(DATA_DIR / f"{name}.csv", delimiter=",")
    boundary_y = getattr(load_make_data(), boundary)(data[:, 0])
    wrong_side = (data[:, 1] > boundary_y) != (data[:, 2] == 1)
    assert 5 <= wrong_side.sum() <= 25
    assert (abs(data[wrong_side, 1] - boundary_y[wrong_side]) < 0.15).all()


def test_the_curve_has_several_bumps():
    # The boundary goes up and down at least twice across the square.
    wave = load_make_data().wave(np.linspace(0, 1, 101))
    turns = np.sum(np.diff(np.sign(np.diff(wave))) != 0)
    assert turns >= 3
    assert wave.max() - wave.min() > 0.5


def test_make_data_regenerates_the_same_files(tmp_path, monkeypatch):
    make_data = load_make_data()
    monkeypatch.setattr(make_data, "DATA_DIR", tmp_path)
    make_data.main()
    for name in ["linear", "curve", "random"]:
        assert (tmp_path / f"{name}.csv").read_bytes() == (DATA_DIR / f"{name}.csv").read_bytes()
