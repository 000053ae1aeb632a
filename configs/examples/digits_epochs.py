#!/usr/bin/env python3
"""Train a small neural network on scikit-learn's digits, one epoch at a time.

The scikit-learn example of early termination: an MLPClassifier is trained
with partial_fit, one pass over the training set per epoch, and after each
epoch the validation loss and accuracy are reported with the epoch as step:

    val_loss=0.3127 val_accuracy=0.9311 step=4

so that ecosweep's early_terminate can stop a configuration that is clearly
losing after a few epochs.  The data ships with scikit-learn (Debian's
python3-sklearn), so nothing is downloaded.  The split and the network's
initialization are seeded, so a configuration trains the same way whenever
it runs.
"""
import argparse
import sys
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lr", type=float, default=1e-3, help="learning_rate_init")
    ap.add_argument("--hidden", type=int, default=64, help="units of the hidden layer")
    ap.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    ap.add_argument("--batch", type=int, default=64, help="minibatch size")
    ap.add_argument("--epochs", type=int, default=20)
    args, _ = ap.parse_known_args()

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
    classes = sorted(set(y))
    # Two hidden layers of the given width: enough work per epoch that the
    # epochs, not Python's start-up, are most of a trial's cost.
    model = MLPClassifier(hidden_layer_sizes=(args.hidden, args.hidden), alpha=args.alpha,
                          learning_rate_init=args.lr, batch_size=args.batch, solver="adam",
                          random_state=0)
    warnings.simplefilter("ignore", ConvergenceWarning)
    for epoch in range(1, args.epochs + 1):
        model.partial_fit(X_train, y_train, classes=classes)
        proba = model.predict_proba(X_val)
        loss = log_loss(y_val, proba, labels=classes)
        acc = model.score(X_val, y_val)
        print(f"val_loss={loss:.6f} val_accuracy={acc:.6f} step={epoch}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
