"""Docs are code: every `python -m bench.…` command the README quotes (in a code block or
inline) is accepted by the benchmark it names, as written; placeholders (N, URL, DIR) stand
for a value of their kind. Only the arguments are parsed: nothing is measured."""

from __future__ import annotations

import argparse
import importlib
import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PLACEHOLDERS = {"N": "100000", "URL": "postgresql+psycopg://atlas@/atlas", "DIR": "out"}


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    fence = r"```[a-z]*\n(.*?)```"
    lines = [
        line
        for block in re.findall(fence, text, re.S)
        for line in block.splitlines()
        if "python -m bench." in line
    ]
    inline = re.findall(r"`([^`]*python -m bench\.[^`]*)`", re.sub(fence, "", text, flags=re.S))
    return lines + [" ".join(span.split()) for span in inline]


class Parsed(Exception):
    """Raised once a benchmark's arguments parsed: it stops before any measuring."""


def test_the_readme_quotes_benchmarks():
    commands = readme_commands()
    assert len(commands) >= 20
    assert any("bench.rerun --base" in c for c in commands)


@pytest.mark.parametrize("command", readme_commands())
def test_a_quoted_benchmark_command_parses(command, monkeypatch):
    words = shlex.split(command.split("#", 1)[0])
    words = words[words.index("-m") + 1 :]
    module = importlib.import_module(words[0])
    argv = [PLACEHOLDERS.get(w, w) for w in words[1:]]
    real = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        real(self, argv if args is None else args, namespace)  # SystemExit(2) when refused
        raise Parsed

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    monkeypatch.setattr("sys.argv", [words[0], *argv])
    with pytest.raises(Parsed):
        module.main(argv) if _takes_argv(module.main) else module.main()


def _takes_argv(main) -> bool:
    import inspect

    return bool(inspect.signature(main).parameters)
