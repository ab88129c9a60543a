"""The docs cannot drift: every `vsumbench ...` example in README.md, docs/ and the help
texts names a real command with real options, README's Python example runs, and the
docstring examples (doctests) hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import shlex
from pathlib import Path

import click
import pytest

import vsumbench
from vsumbench.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "leaderboards" / "README.md",
]


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


def _commands(text: str) -> list[str]:
    """`vsumbench ...` lines of fenced blocks and of inline `code`, continuations joined."""
    found = []
    for block in _code_blocks(text):
        joined = re.sub(r"\\\n\s*", " ", block)
        found += [line.split("#")[0].strip() for line in joined.splitlines()]
    found += re.findall(r"`(vsumbench [^`]+)`", text)
    out = []
    for line in found:
        for part in re.split(r"&&|;", line):
            part = part.strip()
            if part.startswith("vsumbench "):
                out.append(part)
    return out


def _help_examples() -> list[str]:
    """The examples in every command's --help text."""
    out = []
    for name in main.list_commands(None):
        command = main.get_command(None, name)
        subs = command.commands.values() if isinstance(command, click.Group) else [command]
        if isinstance(command, click.Group) and hasattr(command, "lazy_commands"):
            subs = [command.get_command(None, n) for n in command.list_commands(None)]
        for sub in subs:
            text = re.sub(r"\\\n\s*", " ", sub.help or "")
            out += [
                line.strip() for line in text.splitlines() if line.strip().startswith("vsumbench ")
            ]
    return out


EXAMPLES = sorted({c for doc in DOCS for c in _commands(doc.read_text())} | set(_help_examples()))


def test_the_docs_have_examples():
    assert len(EXAMPLES) > 30


def _resolve(args: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    while isinstance(command, click.Group) and args:
        if args[0].startswith("-"):  # a group's own flag (`vsumbench --debug run ...`)
            flags = {opt for p in command.params for opt in p.opts}
            assert args[0] in flags, f"unknown option {args[0]!r} of {command.name}"
            args = args[1:]
            continue
        sub = command.get_command(None, args[0])
        assert sub is not None, f"no command {args[0]!r}"
        command, args = sub, args[1:]
    return command, args


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_documented_command_and_option_exists(example):
    args = [a for a in shlex.split(example)[1:] if a != "..."]
    command, rest = _resolve(args)
    assert not isinstance(command, click.Group), f"{example}: a group, not a command"
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)} | {"--help"}
    used = [a.split("=")[0] for a in rest if a.startswith("--")]
    unknown = [a for a in used if a not in known]
    assert not unknown, f"{example}: unknown option(s) {unknown}"


def test_readme_python_example_runs(small_benchmark, tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    (code,) = [b for b in _code_blocks(text) if "from vsumbench.data import" in b]
    (tmp_path / "data").symlink_to(small_benchmark)
    monkeypatch.chdir(tmp_path)
    import numpy as np

    from vsumbench.data import load_videos

    videos = load_videos(
        small_benchmark / "eccv16_dataset_tvsum_google_pool5.h5", ["video_1", "video_2"]
    )
    scope = {f"scores_{i}": np.asarray(videos[f"video_{i}"].gtscore) for i in (1, 2)}
    exec(compile(code, "README.md", "exec"), scope)
    assert 0 < scope["result"].kendall <= 1


def _modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(vsumbench.__path__, "vsumbench.")]
    return [n for n in names if not n.endswith("__main__")]


def test_doctests_hold():
    attempted = 0
    for name in _modules():
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, name
        attempted += result.attempted
    assert attempted >= 3


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_in_the_docs_exists(doc):
    """A picture or a page the docs point to is in the repository (the README's screenshot
    of the report site included); web addresses and anchors are not followed."""
    targets = re.findall(r"\]\(([^)\s]+)\)", re.sub(r"\n\s*", " ", doc.read_text()))
    local = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t)]
    missing = [t for t in local if t and not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} points to files that are not there: {missing}"
