"""What watches train.py's loop: every epoch's training and validation loss (for the
figures and the run record), the live view's redraws, and Ctrl-C.
"""
from contextlib import contextmanager

import torch

from figures import LiveView

class Watch:
    """Called by train_model once per epoch: keeps the training loss and the validation
    loss (only watched, never trained on) for the figures, and redraws the live view."""

    def __init__(self, model, loss_function, val_data, val_labels, live=None):
        self.model, self.loss_function = model, loss_function
        self.val_data, self.val_labels = val_data, val_labels
        self.live = live or LiveView()  # LiveView() draws nothing
        self.history = {"training": [], "validation": []}

    def __call__(self, epoch, loss):
        self.history["training"].append(loss.item())
        with torch.no_grad():
            val_loss = self.loss_function(self.model(self.val_data), self.val_labels)
        self.history["validation"].append(val_loss.item())
        self.live.update(epoch, self.history)  # redraws the figure now and then

    def finish(self):
        self.live.finish()


@contextmanager
def stop_on_ctrl_c(watch):
    """Ctrl-C ends the training early; the script goes on with what was learned."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"Interrupted after {len(watch.history['training'])} epochs: "
              "showing what was learned so far")
