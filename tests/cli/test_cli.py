"""The ``rl-compiler`` command itself: every subcommand is registered, and none is dropped silently."""

from __future__ import annotations

import pytest

from rl_compiler import cli


def test_every_subcommand_is_registered():
    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(cli.SUBCOMMANDS) <= set(subcommands)  # (aliases too, e.g. benchmarks for datasets)


def test_a_subcommand_that_fails_to_import_is_an_error(monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", (*cli.SUBCOMMANDS, "no_such_subcommand"))
    with pytest.raises(ModuleNotFoundError, match="no_such_subcommand"):
        cli.build_parser()
