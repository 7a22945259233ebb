"""Train a small MLP (3 inputs -> hidden -> 1) that predicts monthly rent.

    uv run ./src/train.py
    uv run ./src/train.py --predict 60 2 3 --predict 20 30 15
    uv run ./src/train.py --hidden 2          # the 3-2-1 network of the text
"""

import csv
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from common import CHAPTER_DIR, Parser, add_figure_flags, fail, seed_everything, show_or_save

DEFAULT_DATA = CHAPTER_DIR / "data" / "rent.csv"
FEATURES = ["size_m2", "age_years", "walk_min"]
TARGET = "rent_man_yen"
MIN_ROWS = 20
TEST_SIZE = 0.2


def main(argv=None):
    args = parse_args(argv)
    seed_everything(args.seed)
    torch.set_num_threads(1)  # tensors this small: extra threads cost more than they save
    X, y = load_data(args.data)
    data = split_and_scale(X, y, args.seed)
    model = construct_model(args.hidden)
    print(model)
    print(f"Parameters: {sum(p.numel() for p in model.parameters()):,}", flush=True)
    history = train_model(model, data, args.epochs, args.lr, args.batch_size, args.seed)
    results = evaluate(model, data)
    for size, age, walk in args.predict or []:
        rent = predict_rent(model, data, [size, age, walk])
        print(f"{size:g} m^2, {age:g} years, {walk:g} min -> {rent:.1f} 万円", flush=True)
    show_results(history, results, args.save, args.no_show)


def parse_args(argv):
    parser = Parser(description="Predict monthly rent (万円) with a small MLP.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="CSV with columns " + ",".join(FEATURES + [TARGET]) + " (default: data/rent.csv)")
    parser.add_argument("--epochs", type=int, default=200, help="passes over the training data (default: 200)")
    parser.add_argument("--lr", type=float, default=0.01, help="SGD learning rate, as in the text (default: 0.01)")
    parser.add_argument("--batch-size", type=int, default=16, help="rows per SGD step (default: 16)")
    parser.add_argument("--hidden", type=int, default=16, help="nodes in the hidden layer; 2 is the text's 3-2-1 network (default: 16)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the split, the weights and the batches (default: 0)")
    parser.add_argument("--predict", nargs=3, type=float, action="append", metavar=("SIZE", "AGE", "WALK"),
                        help="also predict the rent of a room: m^2, years, minutes on foot (repeatable)")
    add_figure_flags(parser)
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
    return args


def load_data(path):
    """Read the CSV into inputs X (n, 3) and rents y (n,); bad files end the run with one line."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        fail(f"data file not found: {path}")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {path}: {e}")
    if not any(cell.strip() for row in rows for cell in row):
        fail(f"{path} is empty")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in FEATURES + [TARGET] if name not in header]
    if missing:
        fail(f"{path}: missing column(s) {', '.join(missing)} (need {','.join(FEATURES + [TARGET])})")
    columns = [header.index(name) for name in FEATURES + [TARGET]]
    values = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # tolerate blank lines, e.g. at the end of the file
        record = []
        for name, col in zip(FEATURES + [TARGET], columns):
            cell = row[col].strip() if col < len(row) else ""
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                fail(f"{path} line {line_no}: {name} is not a number: {cell!r}")
            record.append(number)
        values.append(record)
    if len(values) < MIN_ROWS:
        fail(f"{path}: only {len(values)} data rows, need at least {MIN_ROWS}")
    data = np.array(values, dtype=np.float64)
    return data[:, :3], data[:, 3]


def split_and_scale(X, y, seed):
    """Hold out a test set, then standardize inputs and rent with statistics of the training set only."""
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, random_state=seed)
    x_scaler = StandardScaler().fit(X_train)
    y_scaler = StandardScaler().fit(y_train.reshape(-1, 1))

    def to_tensor(a):
        return torch.tensor(a, dtype=torch.float32)

    return {
        "X_train_raw": X_train, "X_test_raw": X_test, "y_train_raw": y_train, "y_test_raw": y_test,
        "x_scaler": x_scaler, "y_scaler": y_scaler,
        "X_train": to_tensor(x_scaler.transform(X_train)),
        "X_test": to_tensor(x_scaler.transform(X_test)),
        "y_train": to_tensor(y_scaler.transform(y_train.reshape(-1, 1))),
        "y_test": to_tensor(y_scaler.transform(y_test.reshape(-1, 1))),
    }


def construct_model(hidden):
    return RentMLP(hidden)


def train_model(model, data, epochs, lr, batch_size, seed):
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    # Mini-batches: with one full-batch step per epoch, lr 0.01 needs about 10x the epochs
    # (2,000 instead of 200) to get as far; 20 small steps per epoch get there in seconds.
    generator = torch.Generator().manual_seed(seed)
    X_train, y_train = data["X_train"], data["y_train"]
    n = len(X_train)
    print_every = max(1, epochs // 10)
    history = {"epoch": [], "train": [], "test": []}
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                loss = criterion(model(X_train[idx]), y_train[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            train_loss, test_loss = dataset_loss(model, data, "train"), dataset_loss(model, data, "test")
            if not math.isfinite(train_loss):
                fail(f"training diverged at epoch {epoch} (loss is {train_loss}); try a smaller --lr")
            history["epoch"].append(epoch)
            history["train"].append(train_loss)
            history["test"].append(test_loss)
            if epoch == 1 or epoch % print_every == 0:
                print(f"Epoch {epoch}, Train Loss: {train_loss:.4f}, Test Loss: {test_loss:.4f}", flush=True)
    except KeyboardInterrupt:
        print(f"Interrupted after {len(history['epoch'])} epochs; showing the results so far.", flush=True)
    return history


def dataset_loss(model, data, part):
    """MSE on the standardized rent, for the whole train or test set."""
    model.eval()
    with torch.no_grad():
        return nn.functional.mse_loss(model(data[f"X_{part}"]), data[f"y_{part}"]).item()


def predict_in_yen(model, data, X_scaled):
    """Model output turned back from standardized units into 万円."""
    model.eval()
    with torch.no_grad():
        out = model(X_scaled).numpy().astype(np.float64)
    return data["y_scaler"].inverse_transform(out).ravel()


def evaluate(model, data):
    """Test-set errors in 万円, and the same split fitted by a plain linear regression for comparison."""
    y_true = data["y_test_raw"]
    y_pred = predict_in_yen(model, data, data["X_test"])
    linear = LinearRegression().fit(data["X_train_raw"], data["y_train_raw"])
    y_linear = linear.predict(data["X_test_raw"])
    rmse = math.sqrt(mean_squared_error(y_true, y_pred))
    mae = mean_absolute_error(y_true, y_pred)
    print(f"Test RMSE: {rmse:.2f} 万円, MAE: {mae:.2f} 万円", flush=True)
    print(f"Test R^2: MLP {r2_score(y_true, y_pred):.2f}, linear regression {r2_score(y_true, y_linear):.2f}", flush=True)
    return {"actual": y_true, "mlp": y_pred, "linear": y_linear}


def predict_rent(model, data, room):
    x = torch.tensor(data["x_scaler"].transform(np.array([room], dtype=np.float64)), dtype=torch.float32)
    return float(predict_in_yen(model, data, x)[0])


def show_results(history, results, save_path, no_show):
    fig, (ax_loss, ax_pred) = plt.subplots(1, 2, figsize=(11, 4.5))
    ax_loss.plot(history["epoch"], history["train"], color="blue", label="train")
    ax_loss.plot(history["epoch"], history["test"], color="red", label="test")
    ax_loss.set_yscale("log")
    ax_loss.set_title("Learning curves")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("MSE loss (standardized rent)")
    ax_loss.legend()

    actual = results["actual"]
    low = min(actual.min(), results["mlp"].min(), results["linear"].min())
    high = max(actual.max(), results["mlp"].max(), results["linear"].max())
    ax_pred.plot([low, high], [low, high], color="gray", linestyle="--", label="y = x (perfect)")
    ax_pred.scatter(actual, results["linear"], s=18, facecolors="none", edgecolors="blue",
                    alpha=0.6, label="linear regression")
    ax_pred.scatter(actual, results["mlp"], s=18, color="red", alpha=0.8, label="MLP")
    ax_pred.set_title("Predicted vs actual rent (test set)")
    ax_pred.set_xlabel("actual rent (10,000 yen / month)")
    ax_pred.set_ylabel("predicted rent (10,000 yen / month)")
    ax_pred.set_aspect("equal")
    ax_pred.legend()
    fig.tight_layout()
    show_or_save(fig, save_path, no_show, "mlp_regression.png")


class RentMLP(nn.Module):
    """Input layer (3) -> hidden layer with ReLU -> output layer (1 rent)."""

    def __init__(self, hidden):
        super().__init__()
        self.fc1 = nn.Linear(3, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        return self.fc2(h)


if __name__ == "__main__":
    main()
