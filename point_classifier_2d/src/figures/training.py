"""The figure of train.py: the model's regions over the square and the loss curve, live while
training runs and at the end. The loss panel (with earlier runs' curves behind this run's,
--compare), the live view and the end of the run are booktools' (curves, live, figures).
"""
from pathlib import Path

import numpy as np

from booktools.curves import Curve, CurvePanel, place_texts, number
from booktools.describe import layer_sizes, optimizer_text
from booktools.figures import finish_run
from booktools.live import LiveView, wanted
from booktools.regions import Grid, NeuronMaps, linear_layers, neurons_on_grid
from dump_points import draw_points

GRID_SIZE = 200  # the model's probability is drawn on a 200 x 200 grid ...
LIVE_GRID_SIZE = 64  # ... and on a coarser one while training (10 times fewer points to ask)
MAP_GRID_SIZE = 100  # --neurons: each neuron's map at the end
LOSS = Curve("loss", "training loss", "tab:purple")


def start_live_view(model, points, labels, args):
    """What watches train_model: it keeps every epoch's loss and, in a window and/or a GIF,
    redraws the figure of show_results while training runs."""
    live = LiveView(["loss"], args.epochs)
    if args.neurons and len(linear_layers(model)) == 1:
        print(f"--neurons: the {args.model} model has no hidden layer; its one neuron is the output "
              "(its map is the picture on the left).", flush=True)
    window, gif = wanted(args)
    if not window and gif is None:
        return live
    from matplotlib.collections import LineCollection

    fig, ax_regions, panel, maps = make_figure(model, points, labels, args)
    grid = Grid((0, 1), (0, 1), LIVE_GRID_SIZE)
    # An image with contourf's colours: changing its data is much cheaper than a new contourf.
    image = ax_regions.imshow(np.zeros((LIVE_GRID_SIZE, LIVE_GRID_SIZE)), cmap=shades(), vmin=0, vmax=1,
                              origin="lower", extent=grid.extent, interpolation="bilinear",
                              interpolation_stage="data")
    # Drawn again after the image, so they stay on top of it.
    on_top = ax_regions.collections + list(ax_regions.spines.values())
    boundary = ax_regions.add_collection(LineCollection([], colors="black"))

    def redraw(epoch):
        changed = []
        if maps:
            hidden, output = neurons_on_grid(model, grid)
            changed += maps.update(hidden, output, grid)
            probability = output.reshape(grid.size, grid.size)
        else:
            probability = grid.outputs(model)
        image.set_data(probability)
        boundary.set_segments(grid.boundary(probability))
        changed += panel.set_data(live.curves)
        if live.is_last_frame(epoch):  # the final figure's title and text
            panel.ax.set_title(loss_title(live, final=True))
            changed += place_texts([panel], live.curves)
        else:
            panel.ax.set_title(f"{loss_title(live)}, epoch {epoch}: {panel.last('loss', live.curves)}")
        return [image, *on_top, boundary, *changed, panel.ax.title]

    live.draw(fig, redraw, window=window, gif=gif)
    return live


def show_results(model, points, labels, live, random_points, result, args):
    """Left: the model's probability of blue over the square, its 0.5 boundary, the
    training points, and the 1,000 random points coloured by the class the model gives
    them. Right: the loss of every epoch, and its last value."""
    fig, ax_regions, panel, maps = make_figure(model, points, labels, args)
    if maps:
        map_grid = Grid((0, 1), (0, 1), MAP_GRID_SIZE)
        maps.update(*neurons_on_grid(model, map_grid), map_grid)
        if maps.dead_text("the square"):
            print(maps.dead_text("the square"), flush=True)
    grid = Grid((0, 1), (0, 1), GRID_SIZE)
    probability = grid.outputs(model)
    ax_regions.contourf(grid.x, grid.y, probability, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.35)
    ax_regions.contour(grid.x, grid.y, probability, levels=[0.5], colors="black")
    random_points = random_points.numpy()
    blue = (result >= 0.5).numpy()  # the book's rule: 0.5 or more is class 1
    for chosen, color, name in [(~blue, "red", "0"), (blue, "blue", "1")]:
        ax_regions.scatter(random_points[chosen, 0], random_points[chosen, 1], c=color, s=4,
                           linewidths=0, alpha=0.7, label=f"random: class {name}")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    panel.set_data(live.curves)
    panel.ax.set_title(loss_title(live, final=True))
    place_texts([panel], live.curves)
    losses = live.curves["loss"]
    finish_run(fig, args, live.curves, {"loss": losses[-1]} if losses else {},
               f"train_{Path(args.csv).stem}_{args.model}.png")


def loss_title(live, final=False):
    """"training loss (Adam lr=0.003)", read from the optimizer the loop used; with final, its
    last value as the label at the curve's end writes it."""
    optimizer = optimizer_text(live.optimizer)
    title = f"training loss ({optimizer})" if optimizer else "training loss"
    losses = live.curves["loss"]
    return f"{title}, final {number(losses[-1], LOSS.fmt)}" if final and losses else title


def shades():
    """The colours of the final figure's contourf (ten bands of RdBu, alpha 0.35 on
    white), as a colormap for the live image and the colour bar."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    steps, alpha = 10, 0.35  # opaque colours as they look drawn that transparent on white (faster)
    colors = plt.get_cmap("RdBu")((np.arange(steps) + 0.5) / steps)
    return ListedColormap(alpha * colors + (1 - alpha))


def make_figure(model, points, labels, args):
    """What the live and the final figure share: points, legend, colour bar, titles, the loss
    panel (earlier runs' curves with --compare; this run's line, empty), and with --neurons
    the neurons' maps below (else None)."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable

    maps_height = NeuronMaps.height(model) if args.neurons else 0
    fig = plt.figure(figsize=(12, 6.2 + maps_height))
    cells = fig.add_gridspec(2 if args.neurons else 1, 2, height_ratios=[6.2, maps_height] if args.neurons else None)
    ax_regions, ax_loss = fig.add_subplot(cells[0, 0]), fig.add_subplot(cells[0, 1])
    draw_points(ax_regions, points.numpy(), labels.numpy())
    ax_regions.plot([], [], color="black", label="p = 0.5 boundary")
    ax_regions.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    fig.suptitle(args.record.header())  # the flags and code the reader changed
    ax_regions.set_title(f"{args.model} model ({layer_sizes(model)}) on {Path(args.csv).name}")
    bar = fig.colorbar(ScalarMappable(cmap=shades()), ax=ax_regions, orientation="horizontal",
                       fraction=0.05, pad=0.12, ticks=[0, 0.25, 0.5, 0.75, 1])
    bar.set_label("model output: probability of label 1 (blue)")

    # Log scale: late progress (0.01 -> 0.001) would be invisible otherwise.
    panel = CurvePanel(ax_loss, [LOSS], epochs=args.epochs, earlier=args.record.earlier,
                       this_label=args.record.this_label(), ylabel="loss (BCE, log scale)")
    ax_loss.set_title("training loss")
    maps = NeuronMaps(fig, cells[1, :], model, ["output: p(blue)"], {"cmap": shades(), "vmin": 0, "vmax": 1},
                      plane="the square") if args.neurons else None
    place_texts([panel], {})  # the layout, and the legend of the earlier runs (--compare)
    return fig, ax_regions, panel, maps
