#!/usr/bin/env python3
"""The Hartmann 6-D function as a trial: a standard, multimodal benchmark.

Defined on the unit cube [0, 1]^6, with global minimum -3.32237 at
(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573) and several local
minima.  Constants: Dixon & Szego (1978), as tabulated by Surjanovic &
Bingham's Virtual Library of Simulation Experiments.
Takes --x1=VALUE ... --x6=VALUE and prints `loss=VALUE`.

Importable: hartmann6(x) evaluates the function in-process (the benchmark's
Optuna side uses it that way).
"""
import math
import sys

MINIMUM = -3.32237
ARGMIN = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)

_ALPHA = (1.0, 1.2, 3.0, 3.2)
_A = (
    (10, 3, 17, 3.5, 1.7, 8),
    (0.05, 10, 17, 0.1, 8, 14),
    (3, 3.5, 1.7, 10, 17, 8),
    (17, 8, 0.05, 10, 0.1, 14),
)
_P = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)


def hartmann6(x):
    """Hartmann6 at x, a sequence of six numbers in [0, 1]."""
    total = 0.0
    for alpha, a, p in zip(_ALPHA, _A, _P):
        total += alpha * math.exp(-sum(aj * (xj - pj) ** 2 for aj, xj, pj in zip(a, x, p)))
    return -total


def main():
    args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    x = [float(args[f"x{i}"]) for i in range(1, 7)]
    print(f"loss={hartmann6(x):.10g}")


if __name__ == "__main__":
    main()
