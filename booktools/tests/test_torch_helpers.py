"""booktools.cli's torch helpers: --seed, --device, the model summary."""
import random

import numpy as np
import pytest

from booktools.cli import count_parameters, pick_device, print_model, seed_everything

torch = pytest.importorskip("torch")


def draws():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_seed_everything_seeds_python_numpy_and_torch():
    seed_everything(3)
    first = draws()
    seed_everything(3)
    assert draws() == first
    seed_everything(4)
    assert all(a != b for a, b in zip(draws(), first))


@pytest.fixture
def threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_the_cpu_device_uses_one_thread(threads):
    torch.set_num_threads(2)
    assert pick_device("cpu") == torch.device("cpu")
    assert torch.get_num_threads() == 1
    assert pick_device() == torch.device("cpu")


def test_auto_picks_cuda_then_mps_then_cpu(threads):
    has_mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    expected = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    assert pick_device("auto").type == expected


@pytest.mark.parametrize("name, message", [
    ("cuda", "error: --device cuda: no CUDA GPU is available here (try --device auto)\n"),
    ("mps", "error: --device mps: Apple's MPS is not available here (try --device auto)\n"),
])
def test_a_missing_device_is_one_line(name, message, capsys):
    available = torch.cuda.is_available() if name == "cuda" else torch.backends.mps.is_available()
    if available:
        assert pick_device(name).type == name
        return
    with pytest.raises(SystemExit) as stop:
        pick_device(name)
    assert stop.value.code == 2 and capsys.readouterr().err == message


def test_print_model_counts_the_parameters_as_the_book_does(capsys):
    model = torch.nn.Sequential(torch.nn.Linear(2, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 1))
    print_model(model)
    out = capsys.readouterr().out
    assert out.startswith("Sequential(\n  (0): Linear(in_features=2, out_features=128, bias=True)")
    assert out.endswith(")\nParameters: 17,025\n") and count_parameters(model) == 17025
