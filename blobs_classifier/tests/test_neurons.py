"""--neurons with --hidden N: each hidden neuron's map over the plane (original units, the inputs
standardized as the model sees them), checked against the neuron's output worked out from its
weights; a model with no hidden layer said so in one line; the maps need two features."""
import numpy as np
import pytest
import torch

import booktools.figures
import train


@pytest.fixture
def run(monkeypatch, run_main, tmp_path):
    """train.py's main() with its model and data kept, and its final figure; change(model) may
    change the new model's weights before training."""
    kept = {}
    print_model = train.print_model

    def keep_model(model):  # (called once the model is made, before training)
        kept["model"] = model
        if kept.get("change"):
            kept["change"](model)
        print_model(model)

    def keep(fig, args):
        fig.canvas.draw()
        kept["figure"] = fig

    monkeypatch.setattr(train, "print_model", keep_model)
    monkeypatch.setattr(booktools.figures, "show_figure", keep)
    real_make_data = train.make_data
    monkeypatch.setattr(train, "make_data", lambda *a: kept.setdefault("data", real_make_data(*a)))

    def run(*argv, change=None):
        kept["change"] = change
        code, out, err = run_main(train.main, *argv, "--save", str(tmp_path / "figure.png"))
        return code, out, err, kept
    return run


def maps_of(fig):
    """{title: image} of the hidden neurons' maps, the row label, the output maps' titles."""
    maps, labels, outputs = {}, [], []
    for ax in fig.axes:
        title = ax.get_title()
        if title.startswith("fc1[") and ax.images:
            maps[title.split()[0]] = ax.images[0].get_array()
        if title.startswith("class ") and title.endswith(" score"):
            outputs.append(title)
        labels += [text.get_text() for text in ax.texts if "neurons," in text.get_text()]
    return maps, labels, outputs


def plane_grid(fig, size=100):
    """The plane's grid points (original units), as the figure's maps draw them."""
    ax_plane = fig.axes[0]
    x, y = np.meshgrid(np.linspace(*ax_plane.get_xlim(), size), np.linspace(*ax_plane.get_ylim(), size))
    return np.column_stack([x.ravel(), y.ravel()])


def test_each_map_is_its_neurons_output_from_the_trained_weights(run):
    def kill(model):
        with torch.no_grad():
            model.fc1.weight[5] = 0
            model.fc1.bias[5] = -3  # never fires, so no gradient reaches it: dead
    code, out, err, kept = run("--hidden", "12", "--epochs", "60", "--neurons", change=kill)
    assert code == 0, err
    model, fig = kept["model"], kept["figure"]
    scaler = kept["data"][4]
    inputs = scaler.transform(plane_grid(fig)).astype(np.float32)
    hidden = np.maximum(inputs @ model.fc1.weight.detach().numpy().T + model.fc1.bias.detach().numpy(), 0)
    maps, labels, outputs = maps_of(fig)
    assert len(maps) == 10 and outputs == ["class 0 score", "class 1 score", "class 2 score"]
    for title, picture in maps.items():
        assert np.allclose(picture, hidden[:, int(title[4:-1])].reshape(100, 100), atol=1e-4), title
    dead = int((hidden.max(axis=0) == 0).sum())
    assert dead >= 1 and "fc1[5]" not in maps  # alive neurons are shown first
    assert labels == [f"fc1:\n12 neurons,\n10 shown,\n{dead} dead"]
    assert f"Dead neurons (0 everywhere on the plane): fc1 {dead} of 12\n" in out


def test_a_model_without_a_hidden_layer_says_so_in_one_line(run):
    code, out, err, kept = run("--epochs", "20", "--neurons")
    assert code == 0, err
    line = ("--neurons: the linear model has no hidden layer; its only neurons are the 3 outputs "
            "(the class scores, drawn at the right).")
    assert out.count(line) == 1 and "Dead neurons" not in out
    maps, labels, outputs = maps_of(kept["figure"])
    assert maps == {} and labels == [] and outputs == ["class 0 score", "class 1 score", "class 2 score"]


@pytest.mark.parametrize("features", ["1", "3"])
def test_the_maps_need_two_features(run, features):
    code, out, err, _ = run("--features", features, "--neurons")
    assert code == 2 and err == (f"error: --neurons draws each neuron over the plane of 2 features; "
                                 f"with --features {features} there is none\n")
    assert "Epoch" not in out
