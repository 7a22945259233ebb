"""The article's first network: SimpleClassifier (one nn.Linear) learns the three blobs,
then is checked on the validation data.

    uv run ./src/train.py
    uv run ./src/train.py --predict 1.5 -3.0
    uv run ./src/train.py --hidden 16

main() follows the article's steps: data, hyperparameters, model / loss function /
optimizer, the training loop, validation. Beside it: figures/training.py (the figures,
live and final) and the booktools package that every chapter shares (flags, seed, Ctrl-C,
the live view that keeps the losses, run records in runs/, --compare).
--seed sets the model's random initial weights; the data itself is fixed by --data-seed
(random_state of make_blobs and train_test_split, 42 as in the article).
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

from booktools.cli import Parser, add_figure_flags, exit_now, fail, keep_results_on_ctrl_c
from booktools.describe import print_model
from booktools.records import add_compare_flags, start_record
from booktools.regions import add_neurons_flag
from booktools.torch_setup import one_cpu_thread, seed_everything
from dump_points import add_data_args, check_data_args, make_data
from figures.points import plot_data
from figures.training import show_results, start_live_view

# The article's hyperparameters (the defaults of --epochs and --lr).
NUM_EPOCHS = 1000
LEARNING_RATE = 0.01
SEED = 0


def main(argv=None):
    args = parse_args(argv)

    # Data (made in dump_points.py, as the article makes it)
    class_num = args.classes
    feature_num = args.features
    train_data, val_data, train_labels, val_labels, scaler = make_data(
        class_num, feature_num, args.samples, args.data_seed)

    # Hyperparameters
    num_epochs = args.epochs
    learning_rate = args.lr

    # Model, loss function and optimizer
    input_size = feature_num
    output_size = class_num
    if args.hidden is None:
        model = SimpleClassifier(input_size, output_size)
    else:  # 本との違い: --hidden N swaps in one hidden layer, for comparison
        model = HiddenLayerClassifier(input_size, args.hidden, output_size)
    loss_function = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=learning_rate)
    print_model(model)
    print(f"Training points: {len(train_labels)}, validation points: {len(val_labels)}")

    # Training (watched by our figures; Ctrl-C stops it and goes on with what was learned)
    points = plot_data(train_data, val_data, train_labels, val_labels, scaler, class_num)
    live = start_live_view(model, loss_function, points, args)  # keeps both losses, draws the figure
    train_model(model, loss_function, optimizer, train_data, train_labels, num_epochs, live)
    live.finish()

    # Validation
    validate(model, loss_function, val_data, val_labels)

    # Ours: classify the reader's points (the article's yellow point), draw the figure
    predictions = predict_points(model, scaler, args.predict)
    show_results(model, points, live, predictions, args)


def parse_args(argv):
    parser = Parser(__file__, description="Train a classifier on make_blobs data "
                                          "(--seed: model init, --data-seed: the data).")
    add_data_args(parser)
    parser.add_argument("--epochs", type=int, default=NUM_EPOCHS,
                        help=f"full-batch training epochs (default {NUM_EPOCHS})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"SGD learning rate (default {LEARNING_RATE})")
    parser.add_argument("--hidden", type=int, default=None,
                        help="add one hidden layer of this many ReLU units (default: none)")
    parser.add_argument("--predict", action="append", nargs="+", type=float, metavar="X",
                        help="classify a point given in original units, e.g. --predict 1.5 -3.0 "
                             "(one number per feature; repeatable)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"seed for the model's initial weights (default {SEED})")
    parser.view_flags.add("predict")  # where the stars go, not what is learned
    add_figure_flags(parser, live=True)
    add_neurons_flag(parser)
    add_compare_flags(parser)
    args = parser.parse_args(argv)
    check_data_args(args)
    if args.epochs <= 0:
        fail(f"--epochs must be positive, got {args.epochs}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        fail(f"--lr must be a positive number, got {args.lr}")
    if args.hidden is not None and args.hidden <= 0:
        fail(f"--hidden must be positive, got {args.hidden}")
    if args.neurons and args.features != 2:
        fail(f"--neurons draws each neuron over the plane of 2 features; with --features {args.features} there is none")
    for point in args.predict or []:
        if len(point) != args.features:
            fail(f"--predict needs {args.features} numbers (one per feature), got {len(point)}")
    seed_everything(args.seed)
    one_cpu_thread()  # extra threads only add waiting on such tiny tensors
    args.record = start_record(args, first_epoch=1)  # written into runs/ with the final figure
    return args


@keep_results_on_ctrl_c("live")  # 本との違い: Ctrl-C goes on to validation and the figure with what was learned
def train_model(model, loss_function, optimizer, train_data, train_labels, num_epochs, live):
    for epoch in range(num_epochs):
        # Reset the gradients the optimizer holds
        optimizer.zero_grad()
        # The model solves the problems
        predictions = model(train_data)
        # Check the answers: how far off is it?
        loss = loss_function(predictions, train_labels)
        # Work out how it went wrong (the gradients)
        loss.backward()
        # Update the model
        optimizer.step()

        if (epoch + 1) % 100 == 0:
            print(f"Epoch: {epoch + 1}, Loss: {loss.item():.4f}")
        live.update(epoch, loss.item())  # 本との違い: keeps both losses for the figures, redraws the live view


def validate(model, loss_function, val_data, val_labels):
    with torch.no_grad():
        val_predictions = model(val_data)
        val_loss = loss_function(val_predictions, val_labels)

        # Index of the largest score in each row = the predicted class
        _, predicted_labels = torch.max(val_predictions, 1)
        correct = (predicted_labels == val_labels).sum().item()
        accuracy = correct / len(val_labels)

        print(f"Validation Loss: {val_loss.item():.4f}, Accuracy: {accuracy:.4f}")


def predict_points(model, scaler, points):
    """Classify the reader's points; they are in original units, so scale them first."""
    if not points:
        return []
    data = torch.tensor(scaler.transform(np.array(points, dtype=float)), dtype=torch.float32)
    with torch.no_grad():
        # The model returns scores; softmax turns them into probabilities.
        probabilities = torch.softmax(model(data), dim=1)
        p, predicted_labels = torch.max(probabilities, 1)
    results = []
    for point, k, prob in zip(points, predicted_labels.tolist(), p.tolist()):
        print(f"({', '.join(str(v) for v in point)}) -> class {k} (p={prob:.2f})")
        results.append((np.array(point), k, prob))
    return results


class SimpleClassifier(nn.Module):
    """The article's model: one fully connected layer from the features to class scores."""

    def __init__(self, input_size, output_size):
        super(SimpleClassifier, self).__init__()
        self.fc = nn.Linear(input_size, output_size)

    def forward(self, x):
        return self.fc(x)


class HiddenLayerClassifier(nn.Module):
    """Not in the article (--hidden): one hidden layer with ReLU between input and output."""

    def __init__(self, input_size, hidden_size, output_size):
        super(HiddenLayerClassifier, self).__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.fc2 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        x = self.fc1(x)
        x = torch.relu(x)
        return self.fc2(x)


if __name__ == "__main__":
    main()
    exit_now()  # skips about 1 s of clean-up at exit
