"""The book's plain training loop, kept only as a speed baseline for ../../bench.py.

    uv run ./bench/book_train.py ./data/curve.csv complex

The book's code as printed (sigmoid at the end of forward, BCELoss, Adam(lr=0.003)
at a constant rate, 20,001 epochs), default thread count: no tuning at all.
Readers use src/train.py instead.
"""
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch


def main():
    points, labels = load_data(sys.argv[1])
    model = construct_model(sys.argv[2])
    train_model(model, points, labels)
    random_points, result = exec_for_random_points(model)
    fig, ax = plt.subplots()
    ax.scatter(random_points[:, 0], random_points[:, 1], c=result, cmap="bwr_r", s=8)
    out = Path(__file__).resolve().parent.parent / "outputs" / "book_train.png"
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out)


def load_data(path):
    data = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return torch.from_numpy(data[:, :2]), torch.from_numpy(data[:, 2])


def construct_model(name):
    return PointClassifier2DSimple() if name == "simple" else PointClassifier2DComplex()


def train_model(model, points, labels):
    loss_fn = torch.nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    for epoch in range(20001):
        optimizer.zero_grad()
        outputs = model(points)
        loss = loss_fn(outputs, labels)
        loss.backward()
        optimizer.step()
        if epoch % 1000 == 0:
            print(f"Epoch {epoch}, Loss: {loss.item()}", flush=True)


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
