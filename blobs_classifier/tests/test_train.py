import json
import os
import re
import subprocess
import sys

import pytest
from sklearn.datasets import make_blobs

import train
from conftest import CHAPTER_DIR
RESULT = re.compile(r"^Validation Loss: (\d+\.\d{4}), Accuracy: (\d+\.\d{4})$", re.M)
PREDICTION = re.compile(r"^\((.*)\) -> class (\d+) \(p=(\d\.\d\d)\)$", re.M)


def is_png(path):
    return (path.exists() and path.stat().st_size > 10_000
            and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n")


def run(args, tmp_path, capsys):
    png = tmp_path / "train.png"
    train.main(args + ["--no-show", "--save", str(png)])
    out = capsys.readouterr().out
    assert f"Saved figure to {png}" in out
    assert is_png(png)
    return out


def epoch_losses(out):
    found = re.findall(r"^Epoch: (\d+), Loss: (\d+\.\d{4})$", out, re.M)
    return [(int(e), float(loss)) for e, loss in found]


def test_default_run_reaches_the_articles_quality(tmp_path, capsys):
    out = run([], tmp_path, capsys)
    assert "Parameters: 9" in out
    losses = epoch_losses(out)
    assert [e for e, _ in losses] == list(range(100, 1001, 100))
    values = [l for _, l in losses]
    assert all(a > b for a, b in zip(values, values[1:]))  # falls every 100 epochs
    val_loss, accuracy = map(float, RESULT.search(out).groups())
    assert accuracy == 1.0
    assert val_loss < 0.15


def test_blob_centres_are_predicted_as_their_class(tmp_path, capsys):
    # Centres in original units, taken straight from scikit-learn with the article's arguments.
    _, _, centers = make_blobs(n_samples=500, centers=3, n_features=2, random_state=42,
                               return_centers=True)
    args = []
    for x, y in centers:
        args += ["--predict", str(x), str(y)]
    out = run(args, tmp_path, capsys)
    found = PREDICTION.findall(out)
    assert [int(k) for _, k, _ in found] == [0, 1, 2]
    assert all(float(p) > 0.5 for _, _, p in found)


def test_predict_prints_the_point_as_given(tmp_path, capsys):
    out = run(["--epochs", "50", "--predict", "1.5", "-3.0"], tmp_path, capsys)
    point, k, p = PREDICTION.search(out).groups()
    assert point == "1.5, -3.0" and 0 <= int(k) < 3 and 0 < float(p) <= 1


def test_predict_uses_the_same_scaler_as_the_data(capsys):
    _, val_data, _, _, scaler = train.make_data(3, 2, 500, 42)
    model = train.SimpleClassifier(2, 3)  # untrained: any scaling mistake shows in p
    raw = scaler.inverse_transform(val_data[:1].numpy())  # the point in original units
    [(_, k, p)] = train.predict_points(model, scaler, [list(raw[0])])
    with train.torch.no_grad():
        expected = train.torch.softmax(model(val_data[:1]), dim=1)[0]
    assert k == int(expected.argmax()) and abs(p - float(expected.max())) < 1e-5


def test_hidden_layer_runs_and_learns(tmp_path, capsys):
    out = run(["--hidden", "8", "--epochs", "300"], tmp_path, capsys)
    assert "HiddenLayerClassifier" in out
    assert "Parameters: 51" in out  # 2*8 + 8 + 8*3 + 3
    values = [l for _, l in epoch_losses(out)]
    assert values[-1] < values[0]


def test_three_features_run(tmp_path, capsys):
    out = run(["--features", "3", "--epochs", "300", "--predict", "0", "0", "0"], tmp_path, capsys)
    assert "in_features=3" in out
    assert PREDICTION.search(out).group(1) == "0.0, 0.0, 0.0"
    assert float(RESULT.search(out).group(2)) > 0.9


def test_four_classes_and_one_feature_run(tmp_path, capsys):
    out = run(["--classes", "4", "--features", "1", "--epochs", "100", "--predict", "2"],
              tmp_path, capsys)
    assert "out_features=4" in out and RESULT.search(out)


def test_ctrl_c_still_shows_results(tmp_path, capsys, monkeypatch, runs_dir):
    calls = []

    def interrupt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 150:
            raise KeyboardInterrupt

    monkeypatch.setattr(train.optim.SGD, "step", interrupt)
    out = run([], tmp_path, capsys)
    assert "Interrupted after 149 epochs" in out and RESULT.search(out)
    # Both losses kept for the same epochs, the last one that ran included.
    record = json.loads((runs_dir / "0001" / "record.json").read_text(encoding="utf-8"))
    for name in ["training loss", "validation loss"]:
        assert record["curves"][name]["epoch"] == list(range(1, 150))


@pytest.mark.parametrize("args, words", [
    (["--classes", "1"], "--classes"),
    (["--samples", "2", "--classes", "3"], "--samples"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "-5"], "--epochs"),
    (["--lr", "0"], "--lr"),
    (["--lr", "-0.01"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--features", "0"], "--features"),
    (["--hidden", "0"], "--hidden"),
    (["--predict", "1.5"], "--predict needs 2"),
    (["--predict", "1", "2", "3"], "--predict needs 2"),
    (["--features", "3", "--predict", "1", "2"], "--predict needs 3"),
    (["--predict", "one", "two"], "invalid float"),
    (["--save", "result.csv"], ".png"),
    (["--compare", "0"], "--compare needs a number of earlier runs"),
    # no data file to read: --data is no abbreviation of --data-seed, and the flag meant is named
    (["--data", "data.csv"], "unrecognized arguments: --data data.csv (did you mean --data-seed?)"),
    (["--learning-rate", "0.1"], "(did you mean --lr?)"),
])
def test_bad_values_exit_2_with_one_line(capsys, args, words):
    with pytest.raises(SystemExit) as exit_info:
        train.main(args + ["--no-show"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_script_runs_as_the_reader_runs_it(tmp_path):
    png = tmp_path / "train.png"
    result = subprocess.run(
        [sys.executable, "./src/train.py", "--epochs", "100", "--predict", "1.5", "-3.0",
         "--save", str(png)],
        cwd=CHAPTER_DIR, capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Epoch: 100, Loss:" in result.stdout and f"Saved figure to {png}" in result.stdout
    assert is_png(png)


@pytest.mark.parametrize("new, flags, error, line, hint", [
    # fc made to take 3 features: the data has 2 (--features 2, the article's)
    ("nn.Linear(3, output_size)", [], "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (400x2 and 3x3)",
     "return self.fc(x)", "fc is Linear(3, 3) and takes 3 numbers per row, but x, the input, has 2 (400x2): "
                          "make fc take 2 (print(x.shape) before this line shows it)"),
    # three outputs written in, four classes asked for
    ("nn.Linear(input_size, 3)", ["--classes", "4"], "IndexError: Target 3 is out of bounds.",
     "loss = loss_function(predictions, train_labels)",
     "the model gives 3 scores per row, but there is a label 3: the last layer must give one score per class, "
     "4 or more (print(predictions.shape) shows them)"),
])
def test_a_shape_error_ends_with_a_hint_naming_the_readers_line(tmp_path, new, flags, error, line, hint):
    from booktools.testing import run_edited

    result = run_edited(CHAPTER_DIR, tmp_path,
                        [("src/train.py", "nn.Linear(input_size, output_size)", new)],
                        "train.py", "--epochs", "1", "--no-show", *flags)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and lines[0] == "Traceback (most recent call last):"
    assert lines[-2] == error
    code = (tmp_path / "src" / "train.py").read_text(encoding="utf-8").splitlines()
    number = next(n for n, text in enumerate(code, start=1) if text.strip() == line)
    assert lines[-1] == f"hint: src/train.py line {number}, {line}: {hint}"
