"""Every command the CLI advertises imports and has help text; README's set-up blocks exist."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from vsumbench.cli import DATA_COMMANDS, TOP_COMMANDS, main

ALL = [(name,) for name in TOP_COMMANDS] + [("data", name) for name in DATA_COMMANDS]


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # A docstring, not just the usage line.
    assert len(result.output.strip().splitlines()) > 3


def test_unknown_command_suggests_close_match():
    result = CliRunner().invoke(main, ["evalute"])
    assert result.exit_code != 0
    assert "evaluate" in result.output


def test_readme_has_the_two_setup_commands_ci_runs():
    text = (REPO / "README.md").read_text()
    for marker in ("setup:install", "setup:test"):
        block = re.search(rf"<!-- {marker} -->\s*```\w*\n(.+?)```\s*<!-- /{marker} -->", text, re.S)
        assert block, f"README.md lacks the {marker} block that .ci/run executes"
        assert block.group(1).strip()
