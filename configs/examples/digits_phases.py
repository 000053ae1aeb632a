#!/usr/bin/env python3
"""An RBF support-vector classifier on scikit-learn's bundled digits data,
in two phases whose energy ecosweep measures apart: training, and
inference over the validation set.

The phase markers ("ecosweep-phase NAME") go on stdout, flushed, where each
phase begins; `items=N` in the inference phase gives its energy per
prediction (phase.infer.kwh_per_item).  The interpreter's start and the
imports come before the first marker: in no phase.
"""
import argparse
import sys

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def phase(name):
    print(f"ecosweep-phase {name}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--gamma", type=float, default=0.001)
    ap.add_argument("--repeats", type=int, default=20,
                    help="passes over the validation set (inference load)")
    args = ap.parse_args()

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

    phase("train")
    model = SVC(C=args.C, gamma=args.gamma).fit(X_train, y_train)

    phase("infer")
    for _ in range(args.repeats):
        pred = model.predict(X_val)
    print(f"items={args.repeats * len(X_val)}")
    acc = float((pred == y_val).mean())
    print(f"support_vectors={int(model.n_support_.sum())}")
    print(f"val_accuracy={acc:.6f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
