#!/usr/bin/env python3
"""A synthetic training run with a realistic learning curve, for early termination.

Each epoch burns real CPU time (more for a wider model), then reports the
validation loss of that epoch:

    val_loss=0.8312 step=3

The curve of a configuration is what training curves look like:

  * it falls from about 2.3 (chance for 10 classes) towards an asymptote that
    depends on the hyperparameters: the learning rate (best near 1e-2, with a
    bowl in log10(lr)), the width (wider is better, with diminishing returns)
    and dropout (best near 0.1);
  * how fast it falls depends on the learning rate (a small lr is slow) and
    its shape is a power law, a + (L0 - a) / (1 + k / tau)^alpha, which is
    what learning curves of real models follow (Hestness et al. 2017; Domhan
    et al. 2015 fit such families), with alpha larger (closer to an
    exponential) for larger learning rates;
  * wide models without dropout overfit: after their minimum the validation
    loss creeps up again, so an early leader can end up behind;
  * a large learning rate makes the curve noisy; every epoch has some noise.

The noise is drawn from a generator seeded by the configuration itself, so a
configuration gives the same curve whenever it runs: a sweep with and
without early termination compares like with like.  Standard library only.
"""
import argparse
import hashlib
import math
import random
import sys
import time

L0 = 2.3  # loss at step 0: chance level for 10 classes


def asymptote(lr, width, dropout):
    bowl = 0.55 * ((math.log10(lr) + 2.0) / 2.0) ** 2  # 0 at lr = 1e-2, 0.55 at 1e-4 / 1
    size = 0.25 * math.log2(512.0 / width) / 5.0  # 0 at 512, 0.25 at 16
    drop = 0.8 * (dropout - 0.1) ** 2  # 0 at 0.1
    return 0.12 + bowl + size + drop


def curve(lr, width, dropout, epochs, rng):
    a = asymptote(lr, width, dropout)
    tau = min(40.0, max(0.4, 2.0 * math.sqrt(1e-2 / lr)))  # slow for a small lr
    alpha = 1.0 + 0.6 * min(1.0, max(0.0, (math.log10(lr) + 4.0) / 4.0))
    overfit = 0.35 * (width / 512.0) * max(0.0, 0.25 - dropout) / 0.25
    sigma = 0.008 + (0.05 if lr > 0.2 else 0.0)
    out = []
    for k in range(1, epochs + 1):
        v = a + (L0 - a) / (1.0 + k / tau) ** alpha
        v += overfit * (k / epochs) ** 2
        v += rng.gauss(0.0, sigma)
        out.append(max(v, 0.01))
    return out


def burn(seconds):
    """Keep one core busy for `seconds` of this process's CPU time."""
    end = time.process_time() + seconds
    x = 1.0
    while time.process_time() < end:
        for _ in range(2000):
            x = x * 1.000000001 + 1e-9
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=27)
    ap.add_argument("--epoch_cpu", type=float, default=0.06,
                    help="CPU seconds of an epoch of the widest model (512)")
    args, _ = ap.parse_known_args()
    key = f"{args.lr!r} {args.width} {args.dropout!r}".encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    cost = args.epoch_cpu * (0.15 + 0.85 * args.width / 512.0)
    for k, v in enumerate(curve(args.lr, args.width, args.dropout, args.epochs, rng), 1):
        burn(cost)
        print(f"val_loss={v:.6f} step={k}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
