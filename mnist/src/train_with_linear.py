"""The book's comparison: train.py's 4-vs-9 training with fully connected layers instead of convolutions.

The data, the training loop and the figures are train.py's (imported, not copied); only the
model (784-128-64-1) and the default learning rate (0.0003, as in the book) differ.
"""

import torch

from booktools.describe import print_model
from figures.training import show_mistakes, start_live_view
from train import DIGITS, load_data, parse_args, show_results, train_model


def main(argv=None):
    args = parse_args(argv, lr=0.0003, name="train_with_linear")  # 本との違い: the flags, seed and device
    train_data, test_data = load_data(args)

    model = LinearMnist().to(args.device)
    print_model(model)  # 本との違い: the model and its parameter count
    live = start_live_view(model, args)  # 本との違い: curves that grow while training (window / --gif)
    train_losses, test_losses, test_accuracies = train_model(
        model, train_data, test_data, args.epochs, args.lr, live
    )
    show_results(train_losses, test_losses, test_accuracies, model, args, live)
    show_mistakes(model, test_data, args, DIGITS)  # 本との違い: only with --mistakes N


class LinearMnist(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(28 * 28, 128)
        self.fc2 = torch.nn.Linear(128, 64)
        self.fc3 = torch.nn.Linear(64, 1)

    def forward(self, data):
        data = data.view(-1, 28 * 28)  # the image becomes 784 numbers: which pixel is next to which is lost
        data = self.fc1(data)
        data = torch.relu(data)
        data = self.fc2(data)
        data = torch.relu(data)
        data = self.fc3(data)
        data = torch.sigmoid(data)
        return data.squeeze(1)  # 本との違い: squeeze(1): a batch of one stays shape (1,)


if __name__ == "__main__":
    main()
