"""--neurons: each hidden neuron's map over the square, drawn from the trained model and checked
against the neuron's output worked out from its weights; dead neurons counted; a model with
no hidden layer said so in one line; the maps follow training in the GIF."""
import numpy as np
import pytest
import torch
from PIL import Image

import booktools.figures
import train
from booktools.live import frame_epochs
from booktools.regions import NeuronMaps
from conftest import DATA_DIR

CURVE = str(DATA_DIR / "curve.csv")


@pytest.fixture
def run(monkeypatch, run_main, tmp_path):
    """train.py's main() with the model it built and its final figure kept; change(model) may
    change the new model's weights before training."""
    kept = {}
    build = train.construct_model

    def construct_model(name):
        kept["model"] = model = build(name)
        if kept.get("change"):
            kept["change"](model)
        return model

    def keep(fig, args):
        fig.canvas.draw()
        kept["figure"] = fig

    monkeypatch.setattr(train, "construct_model", construct_model)
    monkeypatch.setattr(booktools.figures, "show_figure", keep)

    def run(*argv, change=None):
        kept["change"] = change
        code, out, err = run_main(train.main, *argv, "--save", str(tmp_path / "figure.png"))
        assert code == 0, err
        return out, kept["model"], kept["figure"]
    return run


def by_hand(model, size):
    """Each layer's neurons at the grid points, from the weights: relu(W x + b), in numpy."""
    ticks = np.linspace(0, 1, size)
    x, y = np.meshgrid(ticks, ticks)
    values = np.column_stack([x.ravel(), y.ravel()]).astype(np.float32)
    layers = []
    for fc in (model.fc1, model.fc2):
        values = np.maximum(values @ fc.weight.detach().numpy().T + fc.bias.detach().numpy(), 0)
        layers.append(values)
    return layers


def maps_of(fig):
    """{title: image} of the neurons' small maps ("fc1[17]": its picture) and the row labels."""
    maps, labels = {}, []
    for ax in fig.axes:
        if ax.get_title().startswith("fc") and ax.images:
            maps[ax.get_title().split()[0]] = ax.images[0].get_array()
        labels += [text.get_text() for text in ax.texts if "neurons," in text.get_text()]
    return maps, labels


def test_each_map_is_its_neurons_output_from_the_trained_weights(run):
    out, model, fig = run(CURVE, "complex", "--epochs", "301", "--neurons")
    maps, labels = maps_of(fig)
    first, second = by_hand(model, 100)
    assert len(maps) == 20  # 10 of each hidden layer
    for title, picture in maps.items():
        layer, neuron = title[:3], int(title[4:-1])
        expected = (first if layer == "fc1" else second)[:, neuron].reshape(100, 100)
        assert np.allclose(picture, expected, atol=1e-4), title
    dead = [int((layer.max(axis=0) == 0).sum()) for layer in (first, second)]
    assert labels == [f"fc1:\n128 neurons,\n10 shown,\n{dead[0]} dead", f"fc2:\n128 neurons,\n10 shown,\n{dead[1]} dead"]
    assert f"Dead neurons (0 everywhere on the square): fc1 {dead[0]} of 128, fc2 {dead[1]} of 128\n" in out
    assert "no hidden layer" not in out


def test_a_neuron_forced_dead_is_counted_dead(run):
    def kill(model):
        with torch.no_grad():
            model.fc1.bias[:] = 1.0  # every neuron of fc1 fires somewhere ...
            model.fc1.weight[[3, 9]] = 0.0
            model.fc1.bias[[3, 9]] = -5.0  # ... but 3 and 9: never (no gradient reaches them)
    _, model, fig = run(CURVE, "complex", "--epochs", "101", "--neurons", change=kill)
    maps, labels = maps_of(fig)
    first, _ = by_hand(model, 100)
    assert (first[:, [3, 9]] == 0).all()
    assert labels[0] == f"fc1:\n128 neurons,\n10 shown,\n{int((first.max(axis=0) == 0).sum())} dead"
    assert int(labels[0].split("\n")[3].split()[0]) >= 2
    assert "fc1[3]" not in maps and "fc1[9]" not in maps  # alive neurons are shown first


def test_the_simple_model_has_no_hidden_layer_and_says_so_once(run):
    out, model, fig = run(str(DATA_DIR / "linear.csv"), "simple", "--epochs", "101", "--neurons")
    line = ("--neurons: the simple model has no hidden layer; its one neuron is the output "
            "(its map is the picture on the left).")
    assert out.count(line) == 1
    maps, labels = maps_of(fig)
    assert maps == {} and labels == [] and "Dead neurons" not in out
    output = [ax for ax in fig.axes if ax.get_title() == "output: p(blue)"]
    assert len(output) == 1  # its one neuron, the output, is still drawn


def test_the_maps_follow_training_in_the_gif(run_main, tmp_path):
    gif = tmp_path / "neurons.gif"
    code, out, err = run_main(train.main, CURVE, "complex", "--epochs", "301", "--neurons", "--gif", str(gif),
                              "--save", str(tmp_path / "final.png"))
    assert code == 0, err
    with Image.open(gif) as animation:
        frames = []
        for number in range(animation.n_frames):
            animation.seek(number)
            frames.append(np.asarray(animation.convert("RGB"), dtype=int))
    assert len(frames) == len(frame_epochs(301))
    maps = slice(int(0.72 * frames[0].shape[0]), None)  # the bottom: the neurons' maps
    first, last = frames[0][maps], frames[-1][maps]
    assert (np.abs(first - last).max(axis=2) > 40).mean() > 0.05  # the maps changed as training went on
    model = train.construct_model("complex")
    assert frames[0].shape[:2] == (round((6.2 + NeuronMaps.height(model)) * 80), 12 * 80)  # taller: the maps below


def test_the_maps_are_drawn_live_in_a_real_window(x_display):
    from test_live import run_in_window

    code, out, err, report = run_in_window(x_display, CURVE, "complex", "--epochs", "301", "--neurons")
    assert code == 0, err
    assert report["shown_at_start"] is True and report["final_windows"] == 1
    assert report["blits_on_screen"] >= len(frame_epochs(301))  # every frame drawn into the window
    assert "Dead neurons (0 everywhere on the square): fc1 " in out
