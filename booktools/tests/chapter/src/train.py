"""The tests' own chapter: a training script laid out as the book's chapters lay theirs out
(flags, live figure, GIF, run record, --compare, Ctrl-C, the quick exit), whose "training"
is a line of numpy arithmetic, so a run takes milliseconds.

    python ./src/train.py ./data/steps.csv
    python ./src/train.py ./data/steps.csv --epochs 200 --lr 0.05 --gif outputs/train.gif

The loss of epoch e is floor + (mean of the data's y column) * exp(-lr * e), a little noise
from --seed on top; the floor falls as the model has more parameters.
"""
import numpy as np

from booktools.cli import (Parser, add_figure_flags, exit_now, fail, first_line, keep_results_on_ctrl_c,
                           positive_float, positive_int)
from booktools.records import add_compare_flags, start_record
from figures.curve import show_results, start_live_view


def main(argv=None):
    args = parse_args(argv, __file__, partner="train_linear.py")
    run(args, Model())


def run(args, model, curves=("loss", "accuracy")):
    data = load_data(args.csv, args.limit)
    print(f"Model: {model}, parameters: {count_parameters(model)}", flush=True)
    live = start_live_view(args)  # the figure while training
    train_model(model, data, args.epochs, args.lr, args.seed, args.every, live)
    live.finish()
    show_results(live, args, curves)


def parse_args(argv, script, partner, own_flags=None):
    parser = Parser(script, description="Pretend to train a model (booktools' test chapter).")
    parser.add_argument("csv", help="data: rows x,y under a header line (e.g. ./data/steps.csv)")
    parser.add_argument("--epochs", type=positive_int, default=30, help="passes over the data")
    parser.add_argument("--lr", type=positive_float, default=0.1, help="learning rate")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the noise")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="use the first N rows only")
    parser.add_argument("--every", type=positive_int, default=10,
                        help="print the loss every N epochs (default 10: said here, so not repeated)")
    parser.view_flags.add("every")  # where the output goes, not what is learned
    if own_flags:
        own_flags(parser)
    add_figure_flags(parser, live=True)
    add_compare_flags(parser, data_flag="csv", partner=partner)
    args = parser.parse_args(argv)
    args.record = start_record(args, none_text={"limit": "all"})
    return args


def load_data(path, limit):
    try:
        rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, encoding="utf-8")
    except (OSError, ValueError) as error:
        fail(f"cannot read {path}: {first_line(error)}")
    if len(rows) == 0:
        fail(f"{path}: no data rows")
    return rows[:limit]


@keep_results_on_ctrl_c("live")
def train_model(model, data, epochs, lr, seed, every, live):
    noise = np.random.default_rng(seed)
    floor = 10 / (10 + count_parameters(model))
    for epoch in range(epochs):
        loss = step(data, floor, lr, epoch) * (1 + 0.01 * noise.standard_normal())
        if epoch % every == 0:
            print(f"Epoch {epoch}, Loss: {loss}")
        live.update(epoch, loss)


def step(data, floor, lr, epoch):
    return floor + data[:, 1].mean() * np.exp(-lr * epoch)


def count_parameters(model):
    return sum(layer.inputs * layer.outputs + layer.outputs for layer in vars(model).values())


class Linear:
    def __init__(self, inputs, outputs):
        self.inputs, self.outputs = inputs, outputs

    def __repr__(self):
        return f"Linear({self.inputs}, {self.outputs})"


class Model:
    def __init__(self):
        self.fc1 = Linear(2, 128)
        self.fc2 = Linear(128, 1)

    def __repr__(self):
        return " -> ".join(map(repr, vars(self).values()))


if __name__ == "__main__":
    main()
    exit_now()
