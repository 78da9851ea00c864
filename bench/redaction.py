"""What the public tier costs at load: redaction of the text tables plus validation
(atlas.redaction.public_dataset) beside validation alone (atlas.loading.build_dataset, what
the team tier does when it has no columnar copy), on synthetic data, medians of a few runs.

    .venv/bin/python -m bench.redaction --n 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from atlas.loading import COLUMNS, FILES, build_dataset, read_table
from atlas.paths import BUNDLED_DATA_DIR
from atlas.policy import load_policy
from atlas.redaction import public_dataset, redact_tables
from atlas.synthetic import generate


def tables(n: int, sensitive_share: float) -> dict:
    out = generate(n, 11)
    rng = np.random.default_rng(11)
    levels = np.where(rng.random(len(out["incidents"])) < sensitive_share, "sensitive", "open")
    out["incidents"]["sensitivity"] = levels
    out["reports"]["sensitivity"] = "open"
    out["documents"] = read_table(BUNDLED_DATA_DIR / FILES["documents"], COLUMNS["documents"])
    return {k: v.drop(columns="_line", errors="ignore").assign(_line=range(2, len(v) + 2))
            for k, v in out.items()}  # fmt: skip


def median_s(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    policy = load_policy()
    print(f"{args.n:,} synthetic incidents, median of {args.repeat} runs")
    for share in (0.0, 0.1, 1.0):
        data = tables(args.n, share)
        base = median_s(lambda d=data: build_dataset(d), args.repeat)
        redact = median_s(lambda d=data: redact_tables(d, policy), args.repeat)
        public = median_s(lambda d=data: public_dataset(d, policy, "bench"), args.repeat)
        print(
            f"  sensitive {share:4.0%}: validate (team) {base:6.2f} s · redact {redact:6.2f} s"
            f" · redact+validate (public) {public:6.2f} s · ratio public/team {public / base:4.2f}"
        )


if __name__ == "__main__":
    main()
