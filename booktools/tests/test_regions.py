"""booktools.regions: a two-input model over the plane (the grid, its outputs, the 0.5 line)
and --neurons' maps, each checked against the neuron's output worked out from the weights."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from booktools.regions import Grid, NeuronMaps, neurons_on_grid, rank_neurons

torch = pytest.importorskip("torch")


class Net(torch.nn.Module):
    """The book's 2-H-H-1 shape (smaller), ReLU applied in forward as the book does."""

    def __init__(self, hidden=6, relu=True):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, hidden)
        self.fc2 = torch.nn.Linear(hidden, hidden)
        self.fc3 = torch.nn.Linear(hidden, 1)
        self.relu = relu

    def forward(self, data):
        data = self.fc1(data)
        data = torch.relu(data) if self.relu else data
        data = self.fc2(data)
        data = torch.relu(data) if self.relu else data
        data = self.fc3(data)
        return torch.sigmoid(data).squeeze()


def by_hand(model, points, relu=True):
    """Each layer's neurons from the weights, in numpy: relu(W x + b), layer after layer."""
    def layer(fc, x):
        out = x @ fc.weight.detach().numpy().T + fc.bias.detach().numpy()
        return np.maximum(out, 0) if relu else out
    first = layer(model.fc1, points)
    second = layer(model.fc2, first)
    third = second @ model.fc3.weight.detach().numpy().T + model.fc3.bias.detach().numpy()
    return first, second, 1 / (1 + np.exp(-third))


def test_the_grid_covers_the_plot_and_asks_the_model_at_every_point():
    grid = Grid((0, 1), (-2, 2), 5, to_inputs=lambda plane: plane * [1, 0.5])
    assert grid.x[0].tolist() == [0, 0.25, 0.5, 0.75, 1] and grid.y[:, 0].tolist() == [-2, -1, 0, 1, 2]
    assert grid.inputs.dtype == torch.float32 and grid.inputs[-1].tolist() == [1, 1]  # the top right, transformed
    model = torch.nn.Linear(2, 1)
    values = grid.outputs(model)
    assert values.shape == (5, 5)
    assert values[4, 0] == pytest.approx(model(torch.tensor([0.0, 1.0])).item())  # row = y, column = x
    three = grid.outputs(torch.nn.Linear(2, 3))
    assert three.shape == (5, 5, 3)
    lines = Grid((0, 1), (0, 1), 50).boundary(np.fromfunction(lambda i, j: j / 49, (50, 50)), 0.5)
    assert len(lines) == 1 and np.allclose(lines[0][:, 0], 0.5, atol=0.02)  # the vertical line x = 0.5


@pytest.mark.parametrize("relu", [True, False])
def test_each_neurons_values_are_its_output_worked_out_from_the_weights(relu):
    torch.manual_seed(0)
    model = Net(relu=relu)
    grid = Grid((0, 1), (0, 1), 21)
    hidden, output = neurons_on_grid(model, grid)
    first, second, out = by_hand(model, grid.inputs.numpy(), relu)
    assert [(name, receiver) for name, _, receiver in hidden] == [("fc1", model.fc2), ("fc2", model.fc3)]
    assert np.allclose(hidden[0][1], first, atol=1e-5) and np.allclose(hidden[1][1], second, atol=1e-5)
    assert np.allclose(output[:, 0], out[:, 0], atol=1e-5)
    if not relu:  # every first-layer neuron is a tilted plane over (x, y): fitted exactly
        design = np.column_stack([grid.inputs.numpy(), np.ones(len(grid.inputs))])
        for neuron in range(first.shape[1]):
            fit = np.linalg.lstsq(design, hidden[0][1][:, neuron], rcond=None)
            assert np.allclose(design @ fit[0], hidden[0][1][:, neuron], atol=1e-5)
    assert neurons_on_grid(torch.nn.Linear(2, 1), grid)[0] == []  # no hidden layer


def test_neurons_are_ranked_by_how_much_they_move_the_next_layer_and_dead_ones_come_last():
    torch.manual_seed(0)
    model = Net()
    with torch.no_grad():
        model.fc1.bias[:] = 2  # every neuron fires somewhere in the square ...
        model.fc1.weight[4] = 0
        model.fc1.bias[4] = -1  # never fires: dead
        model.fc2.weight[:, 2] *= 50  # neuron 2's outgoing weights: by far the largest
    grid = Grid((0, 1), (0, 1), 21)
    (name, values, receiver), _ = neurons_on_grid(model, grid)[0]  # fc1's neurons, fed to fc2
    order, dead = rank_neurons(values, receiver)
    assert dead.tolist() == [False] * 4 + [True] + [False]
    assert order[-1] == 4 and order[0] == 2 and sorted(order) == list(range(6))


def test_the_maps_show_the_neurons_their_titles_name_and_count_the_dead():
    torch.manual_seed(0)
    model = Net(hidden=14)
    with torch.no_grad():
        model.fc1.bias[:] = 2
        model.fc2.bias[:] = 2  # every neuron fires somewhere in the square ...
        model.fc2.weight[7] = 0
        model.fc2.bias[7] = -1  # ... but fc2's neuron 7: dead
    fig = plt.figure(figsize=(12, 4))
    maps = NeuronMaps(fig, fig.add_gridspec(1, 1)[0], model, ["output"], {"cmap": "RdBu", "vmin": 0, "vmax": 1})
    grid = Grid((0, 1), (0, 1), 30)
    maps.update(*neurons_on_grid(model, grid), grid)
    first, second, out = by_hand(model, grid.inputs.numpy())
    for (name, units, images, titles, label), expected in zip(maps.rows, [first, second]):
        assert len(images) == 10 and units == 14  # SHOWN of the 14
        for image, title in zip(images, titles):
            neuron = int(title.get_text().split("[")[1].split("]")[0])
            assert np.allclose(image.get_array(), expected[:, neuron].reshape(30, 30), atol=1e-5)
    assert maps.rows[1][4].get_text() == "fc2:\n14 neurons,\n10 shown,\n1 dead"
    assert maps.dead_text("the square") == "Dead neurons (0 everywhere on the square): fc1 0 of 14, fc2 1 of 14"
    assert np.allclose(maps.outputs[0].get_array(), out.reshape(30, 30), atol=1e-5)
    plt.close(fig)
