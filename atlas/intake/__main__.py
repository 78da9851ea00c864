"""Import a file from the command line: the same import as the Data page.

    python -m atlas.intake FILE [--layer NAME] [--mapping M.json] [--encoding NAME]
        [--date-order DMY] [--report REPORT.csv] [--invalid INVALID.csv] [--out DIR]
        [--save-mapping M.json]

Prints what was read and every problem; writes the validation report (default
FILE.report.csv beside the file, never over the file itself), the rows that did not load
(--invalid), the dataset's four CSV files that ATLAS_DATA_DIR can point the dashboard at,
marked as imported so they are checked by the import rules (--out; not written when no row
loads), and the mapping used
(--save-mapping). Exit status: 0 when every row loaded (warnings
allowed), 1 when there are errors, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from atlas.export.files import write_atomic
from atlas.intake import Limits, import_file
from atlas.intake.encoding import CHOICES
from atlas.intake.mapping import DATE_ORDERS, Mapping, MappingError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m atlas.intake", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--mapping", type=Path, help="a mapping saved from the Data page (JSON)")
    parser.add_argument("--encoding", choices=CHOICES, help="override the detected encoding")
    parser.add_argument(
        "--layer", "--sheet", help="the sheet (XLSX) or layer (GeoPackage) to read, by name"
    )
    parser.add_argument("--date-order", choices=DATE_ORDERS, help="how to read 03/04/2013")
    parser.add_argument("--report", type=Path, help="validation report (CSV)")
    parser.add_argument("--invalid", type=Path, help="the rows that did not load (CSV)")
    parser.add_argument("--out", type=Path, help="write the loaded data as a data folder")
    parser.add_argument("--save-mapping", type=Path, help="write the mapping used (JSON)")
    parser.add_argument("--max-rows", type=int, default=Limits().max_rows)
    parser.add_argument("--max-mb", type=float, default=Limits().max_bytes / 2**20)
    args = parser.parse_args(argv)

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    mapping = None
    if args.mapping:
        try:
            mapping = Mapping.from_json(args.mapping.read_bytes())
        except (OSError, MappingError) as exc:
            print(f"{args.mapping}: {exc}", file=sys.stderr)
            return 2
    if args.date_order:
        mapping = replace(mapping or _auto(data, args), date_order=args.date_order)
    # More rows asked for on the command line: as many cells as 50 columns of them (the
    # page's cell limit is for 200,000 rows of 20; ACLED exports have 31 columns).
    cells = max(Limits().max_cells, args.max_rows * 50)
    limits = Limits(max_bytes=int(args.max_mb * 2**20), max_rows=args.max_rows, max_cells=cells)
    result = import_file(
        data,
        args.file.name,
        mapping,
        encoding=args.encoding,
        limits=limits,
        progress=_progress if sys.stderr.isatty() else None,
        layer=args.layer,
    )
    from atlas.intake import describe_result

    print(describe_result(result))
    for note in result.notes:
        print(f"  note: {note}")
    if result.unused:
        print(f"  not imported (no field takes these columns): {', '.join(result.unused)}")
    for problem in result.problems:
        print(f"- {problem}")
    report = args.report or args.file.with_name(args.file.name + ".report.csv")
    _write(report, result.report_csv())
    print(f"report: {report}")
    if args.invalid:
        _write(args.invalid, result.invalid_rows_csv())
        print(f"rows that did not load: {args.invalid}")
    if args.save_mapping:
        _write(args.save_mapping, result.mapping.to_json().encode("utf-8"))
    if args.out and not result.loaded:
        print(f"data folder: not written ({args.out}): no row loaded", file=sys.stderr)
    elif args.out and result.dataset is not None and result.dataset.raw is not None:
        from atlas.export.data import subset
        from atlas.loading import IMPORT_MARKER

        ids = list(result.dataset.incidents["incident_id"])
        for name, content in subset(result.dataset, ids).csv_files().items():
            _write(args.out / name, content)
        marker = {"imported_from": args.file.name, "rules": "import (see data/README.md)"}
        _write(args.out / IMPORT_MARKER, json.dumps(marker, ensure_ascii=False).encode("utf-8"))
        print(f"data folder: {args.out} (ATLAS_DATA_DIR={args.out} make run)")
    return 1 if result.errors or result.dataset is None else 0


def _auto(data: bytes, args) -> Mapping:
    from atlas.intake import read_upload
    from atlas.intake.mapping import auto_mapping

    try:
        raw = read_upload(data, args.file.name, encoding=args.encoding, layer=args.layer)
        return auto_mapping(raw.columns)
    except Exception:  # the import itself reports why the file cannot be read
        return Mapping()


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda tmp: tmp.write_bytes(content))


def _progress(done: int, total: int) -> None:
    print(f"\rgeocoding {done}/{total}", end="" if done < total else "\n", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
