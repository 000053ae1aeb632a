#!/usr/bin/env python3
"""Tune an RBF support-vector classifier on scikit-learn's bundled digits data.

ecosweep passes hyperparameters as --name=value arguments and reads metrics
from stdout: each `name=value` line is one report.  The data ships with
scikit-learn (Debian's python3-sklearn), so nothing is downloaded.
"""
import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--gamma", type=float, default=0.001)
    ap.add_argument("--kernel", default="rbf")
    ap.add_argument("--scale", default="True")
    args = ap.parse_args()

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)
    steps = [StandardScaler()] if args.scale == "True" else []
    model = make_pipeline(*steps, SVC(C=args.C, gamma=args.gamma, kernel=args.kernel))
    model.fit(X_train, y_train)
    print(f"train_accuracy={model.score(X_train, y_train):.6f}")
    print(f"val_accuracy={model.score(X_val, y_val):.6f}", flush=True)


if __name__ == "__main__":
    main()
