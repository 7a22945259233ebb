"""booktools.torch_setup (--seed, --device, threads) and booktools.describe (the model summary,
its layer sizes, the optimizer a run used)."""
import random

import numpy as np
import pytest

from booktools.describe import OptimizerWatch, activations, count_parameters, layer_sizes, optimizer_text, print_model
from booktools.torch_setup import one_cpu_thread, pick_device, seed_everything

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


def test_one_cpu_thread_on_the_cpu_and_picking_a_device_only_picks(threads):
    torch.set_num_threads(2)
    assert pick_device("cpu") == torch.device("cpu") and pick_device() == torch.device("cpu")
    assert torch.get_num_threads() == 2
    one_cpu_thread(torch.device("cuda"))  # a GPU's run keeps the CPU's threads
    assert torch.get_num_threads() == 2
    one_cpu_thread()
    assert torch.get_num_threads() == 1


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


def test_layer_sizes_are_read_from_the_layers():
    nn = torch.nn
    assert layer_sizes(nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 128), nn.Linear(128, 1))) == "2-64-128-1"
    assert layer_sizes(nn.Linear(2, 3)) == "2-3"
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 8, 3), nn.BatchNorm1d(8), nn.Linear(16, 1))
    assert layer_sizes(cnn) == "conv 1-4-8, 16-1"
    assert layer_sizes(nn.ReLU()) is None


def test_the_optimizer_a_loop_used_and_its_first_learning_rate():
    watch = OptimizerWatch()
    try:
        weight = torch.zeros(2, requires_grad=True)
        assert watch.optimizer is None  # no step yet
        optimizer = torch.optim.SGD([weight], lr=0.1)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 10)
        for _ in range(3):
            weight.sum().backward()
            optimizer.step()
            scheduler.step()
        torch.optim.Adam([weight], lr=0.5).step()  # a later optimizer is not the loop's
        assert watch.optimizer is optimizer
        assert optimizer.param_groups[0]["lr"] < 0.1  # lowered by the scheduler ...
        assert optimizer_text(watch.optimizer) == "SGD lr=0.1"  # ... the text is the reader's choice
    finally:
        watch.stop()
    later = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.003)
    assert optimizer_text(later) == "Adam lr=0.003" and optimizer_text(None) is None


def test_the_activations_are_read_from_what_forward_calls():
    """torch.relu in forward() (no layer holds it), an nn.ReLU layer, a tensor's method: each is
    found, once, in the order called; a model without any has none."""
    nn = torch.nn

    class Functions(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(2, 4), nn.Linear(4, 3)

        def forward(self, x):
            x = torch.relu(self.fc1(x))
            return self.fc2(x).tanh() + torch.relu(x).sum()

    x = torch.zeros(5, 2)
    assert activations(Functions(), x) == ["ReLU", "tanh"]
    assert activations(nn.Sequential(nn.Linear(2, 4), nn.GELU(), nn.Linear(4, 1), nn.Sigmoid()), x) == ["GELU", "sigmoid"]
    assert activations(nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 1)), x) == []
    assert torch.is_grad_enabled()  # as it was
