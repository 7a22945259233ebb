"""What a model with two inputs does over the whole plane: its outputs on a grid of points
(the decision regions), and the line where its output crosses a level (the boundary).

    grid = Grid((0, 1), (0, 1), 200)             # to_inputs: e.g. a StandardScaler's transform
    probability = grid.outputs(model)            # (200, 200), or (200, 200, classes)
    segments = grid.boundary(probability, 0.5)   # for a LineCollection

torch and contourpy are imported inside the functions: `--help` answers without them.
"""
import numpy as np


class Grid:
    """size x size points over the plot's x and y ranges (x across, y up, as imshow's
    origin="lower" draws them); to_inputs turns plot coordinates into the model's inputs."""

    def __init__(self, xlim, ylim, size, to_inputs=None):
        import torch

        self.size, self.extent = size, (*xlim, *ylim)
        self.x, self.y = np.meshgrid(np.linspace(*xlim, size), np.linspace(*ylim, size))
        plane = np.column_stack([self.x.ravel(), self.y.ravel()])
        self.inputs = torch.tensor(to_inputs(plane) if to_inputs else plane, dtype=torch.float32)

    def outputs(self, model):
        """The model's output at every grid point, shaped as the grid (one map per output)."""
        import torch

        with torch.no_grad():
            out = model(self.inputs)
        values = out.numpy().reshape(self.size, self.size, -1)
        return values[..., 0] if values.shape[-1] == 1 else values

    def boundary(self, values, level=0.5):
        """The line segments where values (one per grid point) cross the level."""
        from contourpy import contour_generator  # matplotlib's own contour code, without the overhead

        return contour_generator(self.x, self.y, values).lines(level)


def linear_layers(model):
    """The model's Linear layers in the order they were made, with their names ("fc1", ...)."""
    import torch

    return [(name, layer) for name, layer in model.named_modules() if isinstance(layer, torch.nn.Linear)]


def neurons_on_grid(model, grid):
    """What every neuron computes at every grid point, as the next layer receives it (after
    the activation, whichever the forward applies). Returns (hidden, output): one (name,
    values (points x neurons), receiver) per hidden layer, named after the Linear layer that
    makes it, receiver the Linear layer it feeds; and the model's output (points x outputs).
    A model of one Linear layer has no hidden layer: ([], output)."""
    import torch

    layers = linear_layers(model)
    received = {}
    hooks = [layer.register_forward_pre_hook(lambda layer, inputs: received.__setitem__(layer, inputs[0]))
             for _, layer in layers[1:]]
    try:
        with torch.no_grad():
            output = model(grid.inputs)
    finally:
        for hook in hooks:
            hook.remove()
    hidden = [(name, received[receiver].reshape(len(grid.inputs), -1).numpy(), receiver)
              for (name, _), (_, receiver) in zip(layers, layers[1:]) if receiver in received]
    return hidden, output.reshape(len(grid.inputs), -1).numpy()


def rank_neurons(values, receiver):
    """A hidden layer's neurons, the ones that move the next layer most first: how far each one's
    output varies over the plane times the size of its outgoing weights (the receiver's weights
    from it). Returns (order, dead): dead neurons give 0 everywhere (a ReLU that never fires)
    and come last."""
    weights = receiver.weight.detach().numpy()  # (the receiver's neurons, this layer's)
    reach = np.linalg.norm(weights, axis=0) * values.std(axis=0)
    dead = np.abs(values).max(axis=0) == 0
    order = np.lexsort((-reach, dead))  # alive first, by reach
    return order, dead


SHOWN = 10  # a hidden layer's neurons shown, the ones that move the next layer most


class NeuronMaps:
    """--neurons: small maps of what each hidden neuron computes over the plane, a row per
    hidden layer (SHOWN of its neurons, those that move the next layer most first, with how
    many it has and how many are dead), and the output's maps at the right. A neuron's map is
    white where it gives 0, green where more, purple where less (each map its own scale).

        maps = NeuronMaps(fig, spec, model, ["p(blue)"], output_style={"cmap": ..., "vmin": 0, "vmax": 1})
        artists = maps.update(*neurons_on_grid(model, grid), grid)   # each frame, and at the end
    """

    def __init__(self, fig, spec, model, output_names, output_style=None, shown=SHOWN, plane="the plane"):
        layers = linear_layers(model)
        self.hidden = [(name, layer.out_features) for name, layer in layers[:-1]]
        self.output_style = output_style or {"cmap": "PRGn"}
        rows = max(1, len(self.hidden))
        columns = min(shown, max([units for _, units in self.hidden], default=shown))
        outputs = len(output_names)
        cells = spec.subgridspec(rows + 1, columns + 1 + outputs, wspace=0.1, hspace=0.3,
                                 height_ratios=[0.22] + [1] * rows, width_ratios=[1] * columns + [0.4] + [1.3] * outputs)
        header = fig.add_subplot(cells[0, :])  # a line of text: an axes, so the layout makes room for it
        header.axis("off")
        header.text(0, 0, f"--neurons: what each neuron computes over {plane}, the ones that move the next layer "
                    "most first\nwhite: 0, green: more, purple: less (each map its own scale)",
                    fontsize=9, transform=header.transAxes, va="bottom")
        self.rows, self.dead = [], {}
        for row, (name, units) in enumerate(self.hidden):
            axes = [self.blank(fig.add_subplot(cells[1 + row, column])) for column in range(min(columns, units))]
            # (the longest text it will say: the layout makes room for it now)
            label = axes[0].text(-0.15, 0.5, f"{name}:\n{units} neurons,\n{len(axes)} shown,\n{units} dead",
                                 transform=axes[0].transAxes, ha="right", va="center", fontsize=8)
            titles = [ax.set_title(" ", fontsize=7, pad=2) for ax in axes]
            self.rows.append((name, units, [self.image(ax) for ax in axes], titles, label))
        self.outputs = []
        for index, name in enumerate(output_names):
            ax = self.blank(fig.add_subplot(cells[1:, columns + 1 + index]))
            ax.set_title(name, fontsize=8, pad=2)
            self.outputs.append(self.image(ax, **self.output_style))
        if not self.hidden:  # one Linear layer: its neurons are the outputs
            note = fig.add_subplot(cells[1, :columns])
            note.axis("off")
            note.text(0.5, 0.5, "no hidden layer: the model's only neurons are its outputs (right)",
                      ha="center", va="center", fontsize=9, transform=note.transAxes)

    def dead_text(self, plane="the plane"):
        """The dead neurons of the maps drawn last, in one line (None without a hidden layer)."""
        if not self.dead:
            return None
        counts = ", ".join(f"{name} {dead} of {units}" for name, (dead, units) in self.dead.items())
        return f"Dead neurons (0 everywhere on {plane}): {counts}"

    @staticmethod
    def height(model):
        """The inches of figure the maps of this model need: a row per hidden layer, and a line of text."""
        return 0.7 + 1.35 * max(1, len(linear_layers(model)) - 1)

    @staticmethod
    def blank(ax):
        ax.set_xticks([])
        ax.set_yticks([])
        return ax

    @staticmethod
    def image(ax, cmap="PRGn", vmin=-1, vmax=1):
        return ax.imshow(np.zeros((2, 2)), origin="lower", cmap=cmap, vmin=vmin, vmax=vmax,
                         interpolation="bilinear", interpolation_stage="data", extent=(0, 1, 0, 1), aspect="auto")

    def update(self, hidden, output, grid):
        """Every map drawn anew from the neurons' values on the grid; returns the artists that changed."""
        shape = (grid.size, grid.size)
        changed = []
        for (name, units, images, titles, label), (_, values, receiver) in zip(self.rows, hidden):
            order, dead = rank_neurons(values, receiver)
            for image, title, neuron in zip(images, titles, order):
                picture = values[:, neuron].reshape(shape)
                reach = float(np.abs(picture).max()) or 1.0
                image.set_data(picture)
                image.set_clim(-reach, reach)
                image.set_extent(grid.extent)
                title.set_text(f"{name}[{neuron}]" + (" dead" if dead[neuron] else ""))
            label.set_text(f"{name}:\n{units} neurons,\n{len(images)} shown,\n{int(dead.sum())} dead")
            self.dead[name] = (int(dead.sum()), units)
            changed += [*images, *titles, label]
        for index, image in enumerate(self.outputs):
            picture = output[:, index].reshape(shape)
            image.set_data(picture)
            image.set_extent(grid.extent)
            if "vmin" not in self.output_style:  # raw scores: each map its own scale
                reach = float(np.abs(picture).max()) or 1.0
                image.set_clim(-reach, reach)
            changed.append(image)
        return changed


def add_neurons_flag(parser):
    """--neurons, for a training script of a model with two inputs (it changes what is shown,
    not what is learned: no run differs by it)."""
    parser.add_argument("--neurons", action="store_true",
                        help="also show what each hidden neuron computes over the plane, a small map each, "
                             "while training and at the end")
    parser.view_flags.add("neurons")
