"""--layers: what a CNN sees, layer by layer. One image goes through the model's own layers,
step by step in the order of its forward() (which stays as the book prints it), and every
channel's map after each step is drawn, labelled with its shape."""

import numpy as np
import torch
import torch.nn.functional as F

from booktools.figures import show_or_save
from figures import second_figure

FONT = 11  # points: readable in the saved PNG at its own size (100 dpi)


def book_stages(model, image):
    """train.py's Mnist, step by step as in its forward: [(step, tensor of one image)]."""
    steps = [("input", image)]
    data = image.unsqueeze(0)  # a batch of one
    for name, step in [("conv1", model.conv1), ("ReLU", torch.relu), ("max-pool", max_pool),
                       ("conv2", model.conv2), ("ReLU", torch.relu), ("max-pool", max_pool),
                       ("conv3", model.conv3), ("ReLU", torch.relu), ("max-pool", max_pool),
                       ("view", lambda d: d.view(-1, 16)), ("fc", model.fc), ("sigmoid", torch.sigmoid)]:
        data = step(data)
        steps.append((name, data[0]))
    return steps


def cnn_stages(model, image):
    """train_cnn.py's CNNClassifier, step by step as in its forward; softmax at the end as predict.py."""
    steps = [("input", image)]
    data = image.unsqueeze(0)
    for name, step in [("conv1", model.conv1), ("ReLU", F.relu), ("max-pool", max_pool),
                       ("conv2", model.conv2), ("ReLU", F.relu), ("max-pool", max_pool),
                       ("fc", lambda d: model.fc(d.view(-1, 32 * 4 * 4))), ("softmax", lambda d: F.softmax(d, dim=1))]:
        data = step(data)
        steps.append((name, data[0]))
    return steps


def max_pool(data):
    return F.max_pool2d(data, kernel_size=2)


def shape_text(tensor):
    """The shape as the book writes it: '4 x 26x26' (channels x height x width), or '16'."""
    if tensor.dim() == 3:
        return f"{tensor.shape[0]} x {tensor.shape[1]}x{tensor.shape[2]}"
    return " x ".join(map(str, tensor.shape))


def tile(maps):
    """Channels side by side in a near-square grid, a thin gap (NaN) between them."""
    zoom = max(1, 12 // maps.shape[1])  # small maps (3x3, 1x1) blown up, so the gaps stay thin
    maps = maps.repeat(zoom, axis=1).repeat(zoom, axis=2)
    count, height, width = maps.shape
    cols = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / cols))
    grid = np.full((rows * (height + 1) - 1, cols * (width + 1) - 1), np.nan)
    for i, channel in enumerate(maps):
        top, left = (i // cols) * (height + 1), (i % cols) * (width + 1)
        grid[top:top + height, left:left + width] = channel
    return grid


def draw_layers(fig, rows, title):
    """One row per image [(label, stages)], one column per step: maps as tiles, vectors as bars.
    A step has one colour scale for all rows, so the rows can be compared."""
    import matplotlib.pyplot as plt

    fig.clear()
    fig.set_layout_engine("constrained")  # titles, labels and ticks never run into each other
    steps = len(rows[0][1])
    axes = fig.subplots(len(rows), steps, squeeze=False)
    for column in range(steps):
        values = [stages[column][1].detach().cpu().numpy() for _, stages in rows]
        low = min(v.min() for v in values)
        high = max(max(np.abs(v).max() for v in values), 1e-6)
        signed = low < 0  # conv outputs: red above 0, blue below; ReLU and pools: grey
        colours = plt.get_cmap("RdBu_r" if signed else "gray").with_extremes(bad="#ffe9a8")
        for row, (label, stages) in enumerate(rows):
            ax, (name, tensor), value = axes[row, column], stages[column], values[row]
            if tensor.dim() == 3:
                ax.imshow(tile(value), cmap=colours, vmin=-high if signed else 0, vmax=high)
                ax.set_xticks([])
                ax.set_yticks([])
            else:
                draw_bars(ax, name, value, high)
            ax.set_title(f"{name}\n{shape_text(tensor)}", fontsize=FONT)
            if column == 0:
                ax.set_ylabel(label, fontsize=FONT)
    fig.suptitle(title + "\n(maps: one tile per channel; red > 0 > blue, grey: 0 black to largest white; "
                 "pale yellow: gaps between tiles)", fontsize=FONT + 1)


def draw_bars(ax, name, value, high):
    """A vector (16 numbers, 10 scores, a probability) as bars; a single number also as text."""
    ax.bar(range(len(value)), value, color=["red" if v > 0 else "blue" for v in value])
    if name in ("sigmoid", "softmax"):
        ax.set_ylim(0, 1)
        high = 1.0
    else:
        ax.set_ylim(-high * 1.1 if value.min() < 0 else 0, high * 1.1)
    if len(value) == 1:
        ax.text(0.5, 0.88, f"{value[0]:.2f}", ha="center", transform=ax.transAxes, fontsize=FONT)
        ax.set_xticks([])
    else:
        ax.set_xticks(range(0, len(value), 5 if len(value) > 10 else 1))
    ax.tick_params(labelsize=FONT - 2)
    ax.set_xlabel("digit" if len(value) == 10 else "" if len(value) == 1 else "channel", fontsize=FONT - 1)


def layers_figure(rows, title):
    import matplotlib.pyplot as plt

    steps = len(rows[0][1])
    fig = plt.figure(figsize=(1.5 * steps + 0.8, 2.4 * len(rows) + 1.2))
    draw_layers(fig, rows, title)
    return fig


def show_layers(model, test_data, args):
    """train.py --layers: the first test 4 and the first test 9 through every layer of the book's CNN."""
    if not args.layers:
        return
    images, labels = test_data.dataset.tensors
    model.eval()
    rows = []
    with torch.no_grad():
        for label, digit in enumerate((4, 9)):  # label 0 = "4", label 1 = "9" (train.py's DIGITS)
            image = images[(labels == label).nonzero()[0, 0]]
            stages = book_stages(model, image)
            rows.append((f"test {digit}\nP(9) = {stages[-1][1].item():.2f}", stages))
    fig = layers_figure(rows, "What the book's CNN (train.py) sees: a test 4 and a test 9 through every layer")
    show_or_save(fig, second_figure(args, "layers"), f"{args.name}_layers.png")


def show_image_layers(model, image, args):
    """predict.py --image ... --layers: the picture through every layer of train_cnn.py's CNN."""
    with torch.no_grad():
        stages = cnn_stages(model, image)
    answer = int(stages[-1][1].argmax())
    fig = layers_figure([(f"your image\nread: {answer}", stages)],
                        "What train_cnn.py's CNN sees in your image, layer by layer")
    show_or_save(fig, second_figure(args, "layers"), "predict_image_layers.png")
