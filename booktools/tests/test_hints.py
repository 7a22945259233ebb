"""booktools.hints: a file not found says where the script looked and what is there; a shape
error's traceback ends with one line naming the reader's line and why."""
import importlib.util
import subprocess
import sys
import textwrap

import pytest

from booktools import hints

torch = pytest.importorskip("torch")

MODELS = '''
import torch


class Points(torch.nn.Module):
    def __init__(self, fc1=(2, 128), fc2=(128, 128)):
        super().__init__()
        self.fc1 = torch.nn.Linear(*fc1)
        self.fc2 = torch.nn.Linear(*fc2)
        self.fc3 = torch.nn.Linear(128, 1)

    def forward(self, data):
        data = self.fc1(data)
        data = torch.relu(data)
        data = self.fc2(data)
        data = self.fc3(data)
        return torch.sigmoid(data).squeeze(1)


class PointsWithoutFc1(Points):
    def forward(self, data):
        data = torch.relu(data)
        data = self.fc2(data)
        data = self.fc3(data)
        return torch.sigmoid(data).squeeze(1)


class PointsWithoutFc3(Points):
    def forward(self, data):
        data = self.fc1(data)
        data = torch.relu(data)
        data = self.fc2(data)
        return torch.sigmoid(data).squeeze(1)


class Digits(torch.nn.Module):
    def __init__(self, conv2=(4, 8), conv3=(8, 16)):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, kernel_size=3)
        self.conv2 = torch.nn.Conv2d(*conv2, kernel_size=3)
        self.conv3 = torch.nn.Conv2d(*conv3, kernel_size=3)
        self.fc = torch.nn.Linear(16, 1)

    def forward(self, data):
        data = self.conv1(data)  # 28x28 -> 26x26
        data = torch.max_pool2d(data, kernel_size=2)
        data = self.conv2(data)
        data = torch.max_pool2d(data, kernel_size=2)
        data = self.conv3(data)
        data = torch.max_pool2d(data, kernel_size=2)
        data = data.view(-1, 16)
        data = self.fc(data)
        return torch.sigmoid(data).squeeze(1)


class Rent(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 16)
        self.fc2 = torch.nn.Linear(16, 1)

    def forward(self, x):
        u = self.fc1(x)
        return self.fc2(torch.relu(u))


def train_step(model, data, labels, loss_fn):
    outputs = model(data)
    loss = loss_fn(outputs, labels)
    return loss
'''


@pytest.fixture
def chapter(tmp_path, monkeypatch):
    """The models above in a chapter's src/model.py, whose lines a hint may name."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "model.py").write_text(MODELS, encoding="utf-8")
    monkeypatch.setattr(hints, "SOURCE_FOLDERS", [])
    hints.explain_errors_in(src)
    spec = importlib.util.spec_from_file_location("hint_models", src / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hint_of(call):
    with pytest.raises((RuntimeError, ValueError)) as raised:
        call()
    return str(raised.value), hints.shape_hint(raised.value)


def line_of(text):
    return MODELS.splitlines().index(next(line for line in MODELS.splitlines() if line.strip() == text)) + 1


def test_a_layer_given_the_wrong_width_names_it_and_the_fix(chapter):
    model = chapter.Points(fc1=(2, 64))
    error, hint = hint_of(lambda: model(torch.rand(200, 2)))
    assert "mat1 and mat2 shapes cannot be multiplied (200x64 and 128x128)" in error
    assert hint == (f"hint: src/model.py line {line_of('data = self.fc2(data)')}, data = self.fc2(data): "
                    "fc2 is Linear(128, 128) and takes 128 numbers per row, but the data arriving has 64 (200x64): "
                    "make the layer before give 128, or fc2 take 64 (print(data.shape) before this line shows it)")


def test_the_first_layer_is_told_to_take_the_inputs_width(chapter):
    """mlp_regression's nn.Linear(3, hidden) -> nn.Linear(4, hidden): its forward calls the data x."""
    error, hint = hint_of(lambda: chapter.Rent()(torch.rand(16, 3)))
    assert "(16x3 and 4x16)" in error
    assert hint == (f"hint: src/model.py line {line_of('u = self.fc1(x)')}, u = self.fc1(x): fc1 is Linear(4, 16) "
                    "and takes 4 numbers per row, but x, the input, has 3 (16x3): make fc1 take 3 "
                    "(print(x.shape) before this line shows it)")


def test_a_layer_line_removed_from_forward_is_named(chapter):
    model = chapter.PointsWithoutFc1()
    _, hint = hint_of(lambda: model(torch.rand(200, 2)))
    assert "but the data arriving has 2 (200x2)" in hint
    assert hint.endswith("; fc1 is made in __init__ but forward never uses it")
    model = chapter.PointsWithoutFc3()
    _, hint = hint_of(lambda: chapter.train_step(model, torch.rand(200, 2), torch.rand(200), torch.nn.BCELoss()))
    assert hint.startswith(f"hint: src/model.py line {line_of('loss = loss_fn(outputs, labels)')}, "
                           "loss = loss_fn(outputs, labels): the model gives 200x128 outputs for 200 labels")
    assert "print(outputs.shape)" in hint and hint.endswith("; fc3 is made in __init__ but forward never uses it")


def test_a_conv_layer_given_other_channels(chapter):
    model = chapter.Digits(conv2=(5, 8))
    error, hint = hint_of(lambda: model(torch.rand(100, 1, 28, 28)))
    assert "to have 5 channels, but got 4 channels" in error
    assert hint == (f"hint: src/model.py line {line_of('data = self.conv2(data)')}, data = self.conv2(data): "
                    "conv2 is Conv2d(5, 8, kernel_size=3) and takes 5 channels, but the data arriving has 4 "
                    "(100x4x13x13): make the layer before give 5, or conv2 take 4 (print(data.shape) before this "
                    "line shows it)")


def test_more_outputs_than_labels_points_at_the_view_in_forward(chapter):
    """mnist: conv3 with 32 channels; view(-1, 16) makes two rows of each image."""
    model = chapter.Digits(conv3=(8, 32))
    images, labels = torch.rand(100, 1, 28, 28), torch.rand(100)
    error, hint = hint_of(lambda: chapter.train_step(model, images, labels, torch.nn.BCELoss()))
    assert "target size (torch.Size([100])) that is different to the input size (torch.Size([200]))" in error
    assert hint == (f"hint: src/model.py line {line_of('data = data.view(-1, 16)')}, data = data.view(-1, 16): "
                    "the model gives 200 outputs for 100 labels, because view(-1, 16) cuts the 32 numbers each image "
                    "has there into twice as many rows of 16: make it view(-1, 32) and fc take 32, or the layers "
                    "before give 16 (print(data.shape) before this line shows it)")
    # CrossEntropyLoss says it in other words (scores of shape 200x1 for 100 labels): the same hint
    def scores_loss(outputs, labels):
        return torch.nn.CrossEntropyLoss()(outputs.unsqueeze(1), labels)
    error, hint = hint_of(lambda: chapter.train_step(model, images, labels.long(), scores_loss))
    assert "Expected input batch_size (200) to match target batch_size (100)" in error
    assert "view(-1, 16) cuts the 32 numbers" in hint


def test_fewer_scores_than_classes(chapter):
    """blobs: the last layer fixed at 3 outputs, --classes 4: a label 3 has no score."""
    def three_scores(data):
        return data[:, :3]
    error, hint = hint_of_any(lambda: chapter.train_step(three_scores, torch.rand(8, 5), torch.arange(8) % 4,
                                                         torch.nn.CrossEntropyLoss()))
    assert "Target 3 is out of bounds" in error
    assert hint == (f"hint: src/model.py line {line_of('loss = loss_fn(outputs, labels)')}, "
                    "loss = loss_fn(outputs, labels): the model gives 3 scores per row, but there is a label 3: "
                    "the last layer must give one score per class, 4 or more (print(outputs.shape) shows them)")


def hint_of_any(call):
    with pytest.raises(Exception) as raised:
        call()
    return str(raised.value), hints.shape_hint(raised.value)


def test_a_view_that_cannot_make_whole_rows(chapter):
    model = chapter.Digits(conv3=(8, 15))
    error, hint = hint_of(lambda: model(torch.rand(100, 1, 28, 28)))
    assert "shape '[-1, 16]' is invalid for input of size 1500" in error
    assert hint.endswith("data = data.view(-1, 16): each image holds 15 numbers here (100x15x1x1), but view(-1, 16) "
                         "makes rows of 16: make it view(-1, 15) and the next layer take 15, or the layers before "
                         "give 16 numbers per image (print(data.shape) before this line shows it)")


def test_no_hint_for_other_errors_or_code_outside_the_chapter(chapter, monkeypatch):
    assert hint_of(lambda: torch.rand(2, 3) @ torch.rand(4, 5))[1] is None  # not raised in src/
    with pytest.raises(ZeroDivisionError) as raised:
        chapter.train_step(lambda data: data, 1, 0, lambda a, b: a / b)
    assert hints.shape_hint(raised.value) is None
    monkeypatch.setattr(hints, "SOURCE_FOLDERS", [])
    model = chapter.Points(fc1=(2, 64))
    assert hint_of(lambda: model(torch.rand(200, 2)))[1] is None


SCRIPT = '''
import torch
from booktools.cli import Parser


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 64)
        self.fc2 = torch.nn.Linear(128, 1)

    def forward(self, data):
        data = self.fc1(data)
        data = self.fc2(data)
        return data


Parser(__file__).parse_args()
Net()(torch.rand(200, 2))
'''


def test_the_hint_follows_pythons_traceback_as_the_reader_runs_a_script(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(SCRIPT, encoding="utf-8")
    result = subprocess.run([sys.executable, "./src/train.py"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and lines[0] == "Traceback (most recent call last):"
    assert lines[-2] == "RuntimeError: mat1 and mat2 shapes cannot be multiplied (200x64 and 128x1)" or \
        lines[-2].endswith(": mat1 and mat2 shapes cannot be multiplied (200x64 and 128x1)")
    assert lines[-1] == ("hint: src/train.py line 14, data = self.fc2(data): fc2 is Linear(128, 1) and takes 128 "
                         "numbers per row, but the data arriving has 64 (200x64): make the layer before give 128, "
                         "or fc2 take 64 (print(data.shape) before this line shows it)")
    lines[-1].encode("cp932")


def test_a_missing_file_says_where_it_looked_and_what_is_there(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for name in ["rent.csv", "rent_linear.csv", "notes.txt"]:
        (data / name).write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert hints.missing_file("rent.csv", also=[data]) == (
        f"data file not found: rent.csv (looked for {tmp_path / 'rent.csv'}); "
        "CSV files in data/: rent.csv, rent_linear.csv (did you mean data/rent.csv?)")
    assert hints.missing_file("./data/rnet.csv", also=[data]).endswith("(did you mean ./data/rent.csv?)")
    assert hints.missing_file("other.csv", also=[data]).endswith("CSV files in data/: rent.csv, rent_linear.csv")
    assert hints.missing_file("x.pth", what="model file", suffixes=(".pth",), or_else="train one first") == (
        f"model file not found: x.pth (looked for {tmp_path / 'x.pth'}); no such file there; train one first")
    monkeypatch.chdir(data)
    assert hints.missing_file("../nowhere/rent.csv", also=[data]) == (
        f"data file not found: ../nowhere/rent.csv (looked for {data / '..' / 'nowhere' / 'rent.csv'}); "
        "CSV files in ./: rent.csv, rent_linear.csv (did you mean rent.csv?)")


def test_importing_hints_changes_nothing():
    code = textwrap.dedent("""
        import sys
        hook = sys.excepthook
        import booktools.hints
        print(sys.excepthook is hook, booktools.hints.SOURCE_FOLDERS)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout == "True []\n", result.stderr
