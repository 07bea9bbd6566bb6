"""Regenerate the example's Cradle fixtures (deterministic): python generate.py

Writes headerless CSV shards under <job>/data/ and the column names, one comma-separated
line, to <job>/signature/signature - the layout CradleDataLoading leaves behind.
"""
from pathlib import Path

import numpy as np

COLUMNS = ["order_id", "amount", "num_items", "account_age_days", "payment_method", "country", "is_fraud"]
PAYMENT = {"credit_card": (0.50, 0.0), "debit_card": (0.25, -0.3), "paypal": (0.15, 0.4), "gift_card": (0.10, 1.8)}
COUNTRY = {"US": (0.50, 0.0), "CA": (0.15, -0.2), "GB": (0.15, 0.1), "DE": (0.10, -0.4), "BR": (0.10, 1.2)}


def make_rows(rng, n, first_id):
    pay = rng.choice(list(PAYMENT), size=n, p=[v[0] for v in PAYMENT.values()])
    ctry = rng.choice(list(COUNTRY), size=n, p=[v[0] for v in COUNTRY.values()])
    amount = np.round(rng.lognormal(mean=4.0, sigma=0.8, size=n), 2)
    items = 1 + rng.poisson(1.5, size=n)
    age = rng.exponential(400.0, size=n).astype(int)
    logit = (-1.2 + 0.9 * np.log(amount / 55.0) - 0.003 * np.minimum(age, 900) + 0.15 * (items - 2)
             + np.array([PAYMENT[p][1] for p in pay]) + np.array([COUNTRY[c][1] for c in ctry]))
    label = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return [(first_id + i, amount[i], items[i], age[i], pay[i], ctry[i], label[i]) for i in range(n)]


def write_job(root, job, shards):
    (root / job / "data").mkdir(parents=True, exist_ok=True)
    (root / job / "signature").mkdir(parents=True, exist_ok=True)
    for k, rows in enumerate(shards):
        lines = [",".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in r) for r in rows]
        (root / job / "data" / f"part-{k:05d}.csv").write_text("\n".join(lines) + "\n")
    (root / job / "signature" / "signature").write_text(",".join(COLUMNS) + "\n")


if __name__ == "__main__":
    rng = np.random.default_rng(20240611)
    here = Path(__file__).resolve().parent
    write_job(here, "training", [make_rows(rng, 150, 100001), make_rows(rng, 150, 100151)])
    write_job(here, "calibration", [make_rows(rng, 120, 200001)])
