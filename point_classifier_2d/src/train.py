"""Train a model that splits 2D points into two classes, then classify 1,000 random points.

    uv run ./src/train.py ./data/linear.csv simple
    uv run ./src/train.py ./data/curve.csv complex

The book's code, in the book's order. What the book does not show is elsewhere:
figures/training.py (the figures, live and final) and the booktools package that every
chapter shares (flags, seeds, Ctrl-C, run records in runs/, --compare). Lines that differ
from the book are marked "本との違い" and listed in README.md.
"""

import torch

import dump_points
from booktools.cli import (Parser, add_figure_flags, exit_now, fail, keep_results_on_ctrl_c, positive_float,
                           positive_int)
from booktools.describe import print_model
from booktools.records import add_compare_flags, start_record
from booktools.regions import add_neurons_flag
from booktools.torch_setup import flush_denormals, fused_adam, one_cpu_thread, seed_everything
from figures.training import show_results, start_live_view

MODELS = ["simple", "complex"]


def main(argv=None):
    args = parse_args(argv)
    points, labels = load_data(args.csv)
    model = construct_model(args.model)
    print_model(model)
    live = start_live_view(model, points, labels, args)  # the figure while training
    train_model(model, points, labels, args.epochs, args.lr, live)
    live.finish()
    random_points, result = exec_for_random_points(model)
    show_results(model, points, labels, live, random_points, result, args)


def parse_args(argv):
    parser = Parser(__file__, description="Train a 2D point classifier and draw its decision regions.")
    parser.add_argument("csv", help="training data: rows x,y,label (e.g. ./data/linear.csv)")
    parser.add_argument("model", help="simple (one Linear layer) or complex (2-128-128-1 MLP)")
    parser.add_argument("--epochs", type=positive_int, default=20001,
                        help="passes over all points (default: 20001, as in the book)")
    parser.add_argument("--lr", type=positive_float, default=0.003,
                        help="Adam learning rate at the start (default: 0.003)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed for the initial weights (default: 0)")
    add_figure_flags(parser, live=True)
    add_neurons_flag(parser)
    add_compare_flags(parser, data_flag="csv")
    args = parser.parse_args(argv)
    if args.model not in MODELS:
        fail(f"unknown model {args.model!r}: choose simple or complex")
    seed_everything(args.seed)
    one_cpu_thread()  # a second thread gains little on 200 points
    flush_denormals()  # tiny floats as 0: the CPU computes them very slowly
    args.record = start_record(args)  # written into runs/ with the final figure
    return args


def load_data(path):
    """The CSV file as tensors: points (N x 2) and labels (N). dump_points.py reads it."""
    points, labels = dump_points.load_data(path)
    return torch.from_numpy(points), torch.from_numpy(labels)


def construct_model(name):
    if name == "simple":
        return PointClassifier2DSimple()
    return PointClassifier2DComplex()


@keep_results_on_ctrl_c("live")  # 本との違い: Ctrl-C goes on to the figure with what was learned
def train_model(model, points, labels, epochs, lr, live):
    loss_fn = torch.nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr,  # 本との違い: no late spikes (NOTES.md: Adam の設定と学習率の下げ方)
                                 betas=(0.9, 0.95), eps=1e-4, fused=fused_adam())  # fused: faster
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)  # 本との違い: lr -> 0

    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = model(points)
        loss = loss_fn(outputs, labels)
        loss.backward()
        optimizer.step()
        scheduler.step()  # 本との違い: the next epoch's (slightly lower) lr

        if epoch % 1000 == 0:
            print(f"Epoch {epoch}, Loss: {loss.item()}")
        live.update(epoch, loss.item())  # keeps the loss for the figure; redraws now and then


def exec_for_random_points(model):
    random_points = torch.rand(1000, 2)
    with torch.no_grad():
        result = model(random_points)
    return random_points, result


class PointClassifier2DSimple(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 1)

    def forward(self, data):
        data = self.fc1(data)
        data = torch.sigmoid(data)
        return data.squeeze()


class PointClassifier2DComplex(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 128)
        self.fc2 = torch.nn.Linear(128, 128)
        self.fc3 = torch.nn.Linear(128, 1)

    def forward(self, data):
        data = self.fc1(data)
        data = torch.relu(data)
        data = self.fc2(data)
        data = torch.relu(data)
        data = self.fc3(data)
        data = torch.sigmoid(data)
        return data.squeeze()


if __name__ == "__main__":
    main()
    exit_now()  # skips about 1 s of clean-up at exit (NOTES.md: 速さ)
