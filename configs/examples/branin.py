#!/usr/bin/env python3
"""The Branin function as a trial: a fast, known objective for tests and benchmarks.

Global minimum 0.397887 at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475).
Takes --x1=VALUE --x2=VALUE and prints `loss=VALUE`.
"""
import math
import sys


def branin(x1, x2):
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def main():
    args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    print(f"loss={branin(float(args['x1']), float(args['x2'])):.10g}")


if __name__ == "__main__":
    main()
