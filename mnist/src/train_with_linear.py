"""The book's comparison: train.py's 4-vs-9 training with fully connected layers instead of convolutions.

Same data, same loop, same flags and figures as train.py (it is reused, not copied);
only the model (784-128-64-1) and the default learning rate (0.0003, as in the book) differ.
"""

import torch

import train


def main(argv=None):
    train.main(argv, model_class=LinearMnist, lr=0.0003, name="train_with_linear")


class LinearMnist(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(28 * 28, 128)
        self.fc2 = torch.nn.Linear(128, 64)
        self.fc3 = torch.nn.Linear(64, 1)

    def forward(self, data):
        data = data.view(-1, 28 * 28)  # the image becomes 784 numbers: which pixel is next to which is lost
        data = torch.relu(self.fc1(data))
        data = torch.relu(self.fc2(data))
        return self.fc3(data).view(-1)  # logits; sigmoid happens in the loss / when predicting


if __name__ == "__main__":
    main()
