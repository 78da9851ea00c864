"""The README's "Team database" section names what the code has: each command of
`python -m atlas.db`, the URL variable, the secrets section, the Makefile target."""

from __future__ import annotations

import re

from atlas.db import URL_VARIABLE
from atlas.paths import PROJECT_ROOT


def _section() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Team database\n", 1)[1].split("\n## ", 1)[0]


def test_commands_documented_are_the_clis():
    from atlas.db.__main__ import main

    section = _section()
    documented = set(re.findall(r"python -m atlas\.db (\w+)", section))
    assert documented == {"upgrade", "import", "export"}
    for command in documented:  # each parses (argparse exits 0 on --help)
        try:
            main([command, "--help"])
        except SystemExit as exit_:
            assert exit_.code == 0


def test_settings_and_targets_documented():
    section = _section()
    assert URL_VARIABLE in section
    assert "[connections.atlas]" in section
    assert "make postgres" in section
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^postgres:", makefile, re.M)
    assert re.search(r"^test: .*\bpostgres\b", makefile, re.M)
    assert "pg_dump" in section


def test_replica_cap_and_benchmark_documented():
    """The capped frame's size and the database benchmark's command, as the code has them."""
    from bench.scale_db import main_postgres  # noqa: F401  (the --backend postgres path)
    from ui.data import DB_ROWS

    section = _section()
    assert f"`ui.data.DB_ROWS` rows ({DB_ROWS:,}" in section
    assert "python -m bench.scale --backend postgres" in section
    scale = (PROJECT_ROOT / "bench" / "scale.py").read_text(encoding="utf-8")
    assert '"--backend", choices=["files", "postgres"]' in scale
