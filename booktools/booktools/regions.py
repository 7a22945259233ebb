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
        out = out.numpy().reshape(self.size, self.size, -1)
        return out[..., 0] if out.shape[-1] == 1 else out

    def boundary(self, values, level=0.5):
        """The line segments where values (one per grid point) cross the level."""
        from contourpy import contour_generator  # matplotlib's own contour code, without the overhead

        return contour_generator(self.x, self.y, values).lines(level)
