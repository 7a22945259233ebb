"""Train the article's MLP on rent data: input layer (room size, age, walk to the station)
-> hidden layer with ReLU -> output layer (the monthly rent).

    uv run ./src/train.py
    uv run ./src/train.py --predict 60 2 3 --predict 20 30 15
    uv run ./src/train.py --hidden 2          # the 3-2-1 network of the article

The article shows the pieces one at a time (nn.Linear, F.relu, F.mse_loss,
torch.manual_seed, SGD with learning rate 0.01); main() puts them together in that
order. What the article does not show is elsewhere: rent_data/csv_table.py (reading the
CSV), progress/losses.py (the losses printed each epoch), figures/training.py (the figure)
and the booktools package that every chapter shares (flags, seed, Ctrl-C, run records in
runs/, --compare).
"""

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from booktools.cli import Parser, add_figure_flags, exit_now, fail, keep_results_on_ctrl_c
from booktools.describe import print_model
from booktools.records import add_compare_flags, start_record
from booktools.torch_setup import one_cpu_thread, seed_everything
from figures.training import show_results
from progress.losses import after_epoch, watch_losses
from rent_data.csv_table import read_table

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data" / "rent.csv"
FEATURES = ["size_m2", "age_years", "walk_min"]
TARGET = "rent_man_yen"
MIN_ROWS = 20
TEST_SIZE = 0.2


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)  # torch.manual_seed and more: the same weights and batches every run
    one_cpu_thread()  # the fastest for tensors this small

    X, t = load_data(args.data)
    data = split_and_scale(X, t, args.seed)
    # 本との違い: mini-batches of 16 rows from a DataLoader (the article names SGD, shows no loop)
    train_loader = DataLoader(TensorDataset(data["X_train"], data["t_train"]),
                              batch_size=args.batch_size, shuffle=True)

    model = RentMLP(args.hidden)
    print_model(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

    live = watch_losses(model, data, args.epochs)  # the losses after each epoch, kept
    train_model(model, optimizer, train_loader, args.epochs, live)
    live.finish()

    results = evaluate(model, data)
    for size, age, walk in args.predict or []:
        rent = predict_rent(model, data, [size, age, walk])
        print(f"{size:g} m^2, {age:g} years, {walk:g} min -> {rent:.1f} 万円")
    show_results(model, live, results, args)


def parse_args(argv):
    parser = Parser(__file__, description="Predict monthly rent (万円) with a small MLP.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="CSV with columns " + ",".join(FEATURES + [TARGET]) + " (default: data/rent.csv)")
    parser.add_argument("--epochs", type=int, default=200, help="passes over the training data (default: 200)")
    parser.add_argument("--lr", type=float, default=0.01, help="SGD learning rate, as in the article (default: 0.01)")
    parser.add_argument("--batch-size", type=int, default=16, help="rows per SGD step (default: 16)")
    parser.add_argument("--hidden", type=int, default=16, help="nodes in the hidden layer; 2 is the article's 3-2-1 network (default: 16)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the split, the weights and the batches (default: 0)")
    parser.add_argument("--predict", nargs=3, type=float, action="append", metavar=("SIZE", "AGE", "WALK"),
                        help="also predict the rent of a room: m^2, years, minutes on foot (repeatable)")
    add_figure_flags(parser)
    add_compare_flags(parser, data_flag="data")
    parser.view_flags.add("predict")  # what is printed, not what is learned: not in the title
    args = parser.parse_args(argv)
    if args.epochs <= 0:
        fail(f"--epochs must be positive, got {args.epochs}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        fail(f"--lr must be a positive number, got {args.lr}")
    if args.batch_size <= 0:
        fail(f"--batch-size must be positive, got {args.batch_size}")
    if args.hidden <= 0:
        fail(f"--hidden must be positive, got {args.hidden}")
    for size, age, walk in args.predict or []:
        if not all(math.isfinite(v) for v in (size, age, walk)):
            fail("--predict values must be finite numbers")
        if size <= 0 or age < 0 or walk < 0:
            fail(f"--predict needs SIZE > 0, AGE >= 0 and WALK >= 0, got {size:g} {age:g} {walk:g}")
    args.record = start_record(args, first_epoch=1)  # written into runs/ with the figure
    return args


def load_data(path):
    """The inputs X (n rows, 3 columns) and the target rents t (n); a bad file ends the run with one line."""
    table = read_table(path, FEATURES + [TARGET], MIN_ROWS)
    return table[:, :3], table[:, 3]


def split_and_scale(X, t, seed):
    """Hold out a test set, then standardize inputs and rents with the training set's statistics only."""
    # scikit-learn (not in the article) is imported where it is used: --help answers sooner.
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, t_train, t_test = train_test_split(X, t, test_size=TEST_SIZE, random_state=seed)
    # 本との違い: standardized inputs and rents (the article's examples use raw values)
    x_scaler = StandardScaler().fit(X_train)
    t_scaler = StandardScaler().fit(t_train.reshape(-1, 1))

    def to_tensor(a):
        return torch.tensor(a, dtype=torch.float32)

    return {
        "X_train_raw": X_train, "X_test_raw": X_test, "t_train_raw": t_train, "t_test_raw": t_test,
        "x_scaler": x_scaler, "t_scaler": t_scaler,
        "X_train": to_tensor(x_scaler.transform(X_train)),
        "X_test": to_tensor(x_scaler.transform(X_test)),
        "t_train": to_tensor(t_scaler.transform(t_train.reshape(-1, 1))),
        "t_test": to_tensor(t_scaler.transform(t_test.reshape(-1, 1))),
    }


@keep_results_on_ctrl_c("live")  # 本との違い: Ctrl-C goes on to the results with what was learned
def train_model(model, optimizer, train_loader, epochs, live):
    # Mini-batches: with one step per epoch over all rows, lr 0.01 needs about
    # 10x the epochs (2,000 instead of 200) to get as far.
    for epoch in range(1, epochs + 1):
        for x, t in train_loader:
            y = model(x)  # forward: the predicted rents
            loss = F.mse_loss(y, t)  # mean squared error against the target rents t
            optimizer.zero_grad()  # clear the gradients of the previous step
            loss.backward()  # backward: the gradient of every weight and bias
            optimizer.step()  # each parameter moves against its gradient, times lr
        after_epoch(live, epoch)  # 本との違い: loss on all training and test rows, kept and printed


def predict_in_man_yen(model, data, x):
    """The model's output, turned back from standardized units into 万円."""
    with torch.no_grad():
        y = model(x)
    return data["t_scaler"].inverse_transform(y.numpy().astype(np.float64)).ravel()


def evaluate(model, data):
    """Test-set errors in 万円, and a plain linear regression fitted on the same split for comparison."""
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    t_true = data["t_test_raw"]
    t_mlp = predict_in_man_yen(model, data, data["X_test"])
    linear = LinearRegression().fit(data["X_train_raw"], data["t_train_raw"])
    t_linear = linear.predict(data["X_test_raw"])
    rmse = math.sqrt(mean_squared_error(t_true, t_mlp))
    mae = mean_absolute_error(t_true, t_mlp)
    print(f"Test RMSE: {rmse:.2f} 万円, MAE: {mae:.2f} 万円")
    r2 = {"mlp": r2_score(t_true, t_mlp), "linear": r2_score(t_true, t_linear)}
    print(f"Test R^2: MLP {r2['mlp']:.2f}, linear regression {r2['linear']:.2f}")
    return {"actual": t_true, "mlp": t_mlp, "linear": t_linear, "r2": r2, "rmse": rmse}


def predict_rent(model, data, room):
    x = torch.tensor(data["x_scaler"].transform(np.array([room], dtype=np.float64)), dtype=torch.float32)
    return float(predict_in_man_yen(model, data, x)[0])


class RentMLP(nn.Module):
    """Input layer (3) -> hidden layer (ReLU) -> output layer (1 rent)."""

    def __init__(self, hidden):
        super().__init__()
        # 本との違い: 16 hidden nodes by default; --hidden 2 gives the article's 3-2-1 network
        self.fc1 = nn.Linear(3, hidden)  # the article's nn.Linear(3, 2)
        self.fc2 = nn.Linear(hidden, 1)  # the article's nn.Linear(2, 1)

    def forward(self, x):
        u = self.fc1(x)  # linear transform: u = Wx + b
        h = F.relu(u)  # non-linear transform (the activation function)
        y = self.fc2(h)  # linear transform to the output layer: the predicted rent
        return y


if __name__ == "__main__":
    main()
    exit_now()  # skips about 1 s of clean-up at exit: every file is written
