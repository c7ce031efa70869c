"""``python -m labormarket.bench [--vacancies N] [--cvs M] ...`` — the exchange benchmark.

The database is the one in ``DATABASE_URL``; without it, a separate SQLite file
``var/bench.sqlite3`` (never the development database). The database is migrated and the
reference data loaded first, the synthetic data set is generated when it is smaller than asked,
then everything is measured and ``docs/benchmarks.md`` gets this database's section rewritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m labormarket.bench",
        description="Generate the national-scale exchange data set if needed and measure "
        "search, matching and the search API against raw SQL.",
    )
    parser.add_argument(
        "--vacancies",
        type=int,
        default=int(os.environ.get("BENCH_VACANCIES", "200000")),
        help="vacancies in the data set (env BENCH_VACANCIES; default 200000)",
    )
    parser.add_argument(
        "--cvs",
        type=int,
        default=int(os.environ.get("BENCH_CVS", "1000000")),
        help="CVs in the data set (env BENCH_CVS; default 1000000)",
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per search query")
    parser.add_argument("--match-repeat", type=int, default=5, help="timed runs per match")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--workers", type=int, default=2, help="processes for generation")
    parser.add_argument(
        "--output",
        type=Path,
        default=BASE_DIR / "docs" / "benchmarks.md",
        help="report to update (default docs/benchmarks.md)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only, write no file")
    parser.add_argument(
        "--no-generate", action="store_true", help="measure whatever data the database holds"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Query logging (DEBUG) would add its own cost to every query measured.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")
    (BASE_DIR / "var").mkdir(exist_ok=True)

    import django

    django.setup()

    from labormarket.bench.exchange import BenchConfig, run

    config = BenchConfig(
        vacancies=args.vacancies,
        cvs=args.cvs,
        repeat=args.repeat,
        match_repeat=args.match_repeat,
        warmup=args.warmup,
        seed=args.seed,
        workers=args.workers,
        generate=not args.no_generate,
        output=None if args.no_write else args.output,
    )
    run(config, out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
