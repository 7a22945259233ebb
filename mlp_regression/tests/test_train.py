import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import train

CHAPTER_DIR = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def epoch_losses(out):
    return [(int(e), float(tr), float(te)) for e, tr, te in
            re.findall(r"^Epoch (\d+), Train Loss: (\S+), Test Loss: (\S+)$", out, re.M)]


def predictions(out):
    return [float(v) for v in re.findall(r" -> (\S+) 万円$", out, re.M)]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One run at the default settings, shared by the quality tests."""
    png = tmp_path_factory.mktemp("train") / "default.png"
    import io
    from contextlib import redirect_stdout
    buf = io.StringIO()
    with redirect_stdout(buf):
        train.main(["--no-show", "--save", str(png), "--predict", "60", "2", "3", "--predict", "20", "30", "15"])
    return buf.getvalue(), png


def test_default_run_reaches_r2_and_beats_linear_regression(default_run):
    out, _ = default_run
    mlp, linear = map(float, re.search(r"^Test R\^2: MLP (\S+), linear regression (\S+)$", out, re.M).groups())
    assert mlp >= 0.9
    assert mlp > linear + 0.03  # the non-linearity of the data must matter


def test_default_run_loss_goes_down_and_errors_in_man_yen(default_run):
    out, _ = default_run
    losses = epoch_losses(out)
    assert len(losses) >= 5
    assert losses[-1][1] < losses[0][1] / 5
    assert losses[-1][2] < losses[0][2] / 5
    rmse, mae = map(float, re.search(r"^Test RMSE: (\S+) 万円, MAE: (\S+) 万円$", out, re.M).groups())
    assert 0 < mae <= rmse < 1.5
    assert re.search(r"^Parameters: 81$", out, re.M)  # 3*16 + 16 + 16*1 + 1


def test_large_room_near_station_costs_more(default_run):
    out, _ = default_run
    assert re.search(r"^60 m\^2, 2 years, 3 min -> \S+ 万円$", out, re.M)
    big_new_near, small_old_far = predictions(out)
    assert big_new_near > small_old_far
    assert 4 < small_old_far < big_new_near < 30


def test_default_run_writes_the_figure(default_run):
    out, png = default_run
    assert f"Saved figure to {png}" in out
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert png.stat().st_size > 10_000


def test_script_runs_headless_as_the_reader_does(tmp_path):
    # A real process, no --save: the Agg backend must make it save into outputs/ by itself.
    env = {"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "RUNS_DIR": os.environ["RUNS_DIR"]}  # not runs/
    result = subprocess.run(
        [sys.executable, str(CHAPTER_DIR / "src" / "train.py"), "--epochs", "20", "--predict", "30", "10", "5"],
        cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert result.returncode == 0, result.stderr
    saved = Path(re.search(r"^Saved figure to (.+)$", result.stdout, re.M).group(1))
    assert saved == CHAPTER_DIR / "outputs" / "mlp_regression.png"
    assert saved.read_bytes()[:8] == PNG_MAGIC
    assert len(predictions(result.stdout)) == 1


def test_text_network_3_2_1_runs(tmp_path, capsys):
    train.main(["--hidden", "2", "--epochs", "30", "--no-show", "--save", str(tmp_path / "h2.png")])
    out = capsys.readouterr().out
    assert re.search(r"^Parameters: 11$", out, re.M)  # 3*2 + 2 + 2*1 + 1
    losses = epoch_losses(out)
    assert losses[-1][1] < losses[0][1]


def test_same_seed_same_numbers(tmp_path, capsys):
    argv = ["--epochs", "10", "--no-show", "--save", str(tmp_path / "a.png"), "--seed", "5"]
    train.main(argv)
    first = capsys.readouterr().out
    train.main(argv)
    assert capsys.readouterr().out == first


def test_ctrl_c_still_shows_results(tmp_path, capsys, monkeypatch):
    real_step = train.torch.optim.SGD.step
    calls = {"n": 0}

    def interrupt_in_epoch_3(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2 * 20 + 5:  # 320 training rows / 16 = 20 steps per epoch
            raise KeyboardInterrupt
        return real_step(*args, **kwargs)

    monkeypatch.setattr(train.torch.optim.SGD, "step", interrupt_in_epoch_3)
    png = tmp_path / "stopped.png"
    train.main(["--epochs", "50", "--no-show", "--save", str(png)])
    out = capsys.readouterr().out
    assert "Interrupted after 2 epochs" in out
    assert re.search(r"^Test R\^2: MLP ", out, re.M)
    assert png.exists()


def test_a_diverging_run_stops_with_one_line(run_main, runs_dir):
    code, out, err = run_main(train.main, "--lr", "1", "--epochs", "50", "--no-show")
    assert code == 2
    assert err == "error: training diverged at epoch 1 (loss is nan); try a smaller --lr\n"
    assert "Epoch " not in out and not runs_dir.exists()  # nothing printed nor recorded after it
