"""A vectorised NumPy simulator of hedgesim's Derman-Kamal experiment: the peer that
scripts/bench times hedgesim against (issue 11).

The experiment (scenarios/derman_kamal.ini with --paths and hedges = steps): a short
one-month at-the-money call (S = K = 100, r = 5%, sigma = 20%, no dividend) sold at its
Black-Scholes price and delta-hedged at the true volatility on an equally spaced grid.
Each path is geometric Brownian motion with drift mu = r (exact log-normal step,
Black & Scholes 1973):

    S_{k+1} = S_k exp((mu - sigma^2 / 2) dt + sigma sqrt(dt) Z_k),   Z_k ~ N(0, 1)

At each hedge date t_k the holding is set to the Black-Scholes delta
N(d1) = ndtr((ln(S/K) + (r + sigma^2/2)(T - t_k)) / (sigma sqrt(T - t_k))), paid from a
cash account that accrues at r; at maturity the P&L is cash + delta S_T - (S_T - K)^+.
The P&L std is close to Derman & Kamal's formula (Goldman Sachs Quantitative Strategies
Research Notes, 1999, "When you cannot hedge continuously"):

    std ~ sqrt(pi / 4) vega sigma / sqrt(hedges),   vega = S phi(d1) sqrt(T)

It is the simplest honest NumPy version: numpy.random.default_rng().standard_normal,
scipy.special.ndtr, whole-array operations over a chunk of paths (100 000 by default,
so that memory stays bounded for any number of paths), and the P&L moments kept as
running sums.  It prints one JSON object: paths, hedges, the P&L mean, std, their
standard errors, excess kurtosis, the Derman-Kamal std and the seconds spent.

    /usr/bin/python3 scripts/bench_numpy.py [--paths N] [--steps N] [--hedges N]
                                            [--chunk N] [--seed S]
"""
import argparse
import json
import math
import sys
import time

import numpy as np
from scipy.special import ndtr

S0, K, R, SIGMA, MU, T = 100.0, 100.0, 0.05, 0.20, 0.05, 1.0 / 12.0


def bs_call(s, tau):
    """Black-Scholes call value and delta (no dividend)."""
    d1 = (np.log(s / K) + (R + 0.5 * SIGMA * SIGMA) * tau) / (SIGMA * np.sqrt(tau))
    d2 = d1 - SIGMA * np.sqrt(tau)
    return s * ndtr(d1) - K * np.exp(-R * tau) * ndtr(d2), ndtr(d1)


def hedge_chunk(rng, n, steps, every):
    """P&L at maturity of n paths of the short call, rebalanced every `every` steps."""
    dt = T / steps
    drift = (MU - 0.5 * SIGMA * SIGMA) * dt
    vol = SIGMA * math.sqrt(dt)
    growth = math.exp(R * dt)
    s = np.full(n, S0)
    premium, delta0 = bs_call(S0, T)
    delta = np.full(n, float(delta0))
    cash = np.full(n, float(premium - delta0 * S0))
    for k in range(1, steps + 1):
        s *= np.exp(drift + vol * rng.standard_normal(n))
        cash *= growth
        if k < steps and k % every == 0:
            tau = T - k * dt
            d1 = (np.log(s / K) + (R + 0.5 * SIGMA * SIGMA) * tau) / (SIGMA * math.sqrt(tau))
            new = ndtr(d1)
            cash -= (new - delta) * s
            delta = new
    return cash + delta * s - np.maximum(s - K, 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=84)
    ap.add_argument("--hedges", type=int, default=84)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    if a.paths < 2 or a.steps < 1 or a.hedges < 1 or a.steps % a.hedges or a.chunk < 1:
        ap.error("need paths >= 2, chunk >= 1 and hedges dividing steps")

    t0 = time.perf_counter()
    rng = np.random.default_rng(a.seed)
    n = 0
    s1 = s2 = s3 = s4 = 0.0  # power sums of the P&L (its mean is ~0: no cancellation)
    while n < a.paths:
        m = min(a.chunk, a.paths - n)
        x = hedge_chunk(rng, m, a.steps, a.steps // a.hedges)
        x2 = x * x
        s1 += float(x.sum())
        s2 += float(x2.sum())
        s3 += float((x2 * x).sum())
        s4 += float((x2 * x2).sum())
        n += m
    seconds = time.perf_counter() - t0

    mean = s1 / n
    m2 = s2 / n - mean * mean
    m4 = s4 / n - 4 * mean * s3 / n + 6 * mean * mean * s2 / n - 3 * mean ** 4
    std = math.sqrt(m2 * n / (n - 1))
    # Standard error of the sample std: Var(s^2) ~ (m4 - m2^2) / n, and s = sqrt(s^2).
    std_se = math.sqrt(max(m4 - m2 * m2, 0.0) / n) / (2 * std)
    d1 = (math.log(S0 / K) + (R + 0.5 * SIGMA * SIGMA) * T) / (SIGMA * math.sqrt(T))
    vega = S0 * math.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi) * math.sqrt(T)
    json.dump({"paths": n, "steps": a.steps, "hedges": a.hedges, "seed": a.seed,
               "pnl_mean": mean, "pnl_mean_se": std / math.sqrt(n), "pnl_std": std,
               "pnl_std_se": std_se, "pnl_exkurt": m4 / (m2 * m2) - 3,
               "derman_kamal_std": math.sqrt(math.pi / 4) * vega * SIGMA / math.sqrt(a.hedges),
               "seconds": seconds}, sys.stdout)
    print()


if __name__ == "__main__":
    sys.exit(main())
