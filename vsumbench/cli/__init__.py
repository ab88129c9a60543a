"""The ``vsumbench`` command line.

Commands are registered by "module:attr" strings and imported only when invoked (the
lm-evaluation-harness pattern), so ``vsumbench evaluate`` never pays for importing torch.
"""

from __future__ import annotations

import importlib

import click

from vsumbench.datasets import benchmark_datasets
from vsumbench.errors import Interrupted, VsumbenchError


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attr = self.lazy_commands[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            import difflib

            name = args[0] if args else ""
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close and "No such command" in str(exc):
                raise click.UsageError(f"{exc} Did you mean {close[0]!r}?", ctx) from None
            raise

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Interrupted as exc:  # Ctrl-C in a run: where it stopped, how to resume
            if debugging(ctx):
                raise
            click.echo(f"\n{exc}", err=True)
            ctx.exit(130)
        except VsumbenchError as exc:
            # Our own errors already say what, where and how to fix: no traceback.
            if debugging(ctx):
                raise
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            # Disk full, file-size limit, read-only or missing folders: the user's
            # environment, not a bug. One line with the path and the cause.
            if debugging(ctx):
                raise
            raise click.ClickException(describe_os_error(exc)) from None
        except EOFError as exc:
            # A library reading a truncated file; click would print only "Aborted!".
            if debugging(ctx):
                raise
            raise click.ClickException(
                f"a file ended too early (truncated or empty): {exc or 'no more data'}; "
                f"rerun with `vsumbench --debug ...` to see which"
            ) from None


def debugging(ctx: click.Context) -> bool:
    """``vsumbench --debug ...``: errors with their full traceback (for plugin authors)."""
    return bool(ctx.find_root().params.get("debug"))


def describe_os_error(exc: OSError) -> str:
    """``path: cause`` of an I/O error, on one line.

    h5py puts the path and the cause inside a long message; they are picked out, and an
    atomic writer's temporary name (``.name.host-12.x1y2.tmp``) is shown as the file it would become.
    """
    import errno
    import os
    import re

    from vsumbench.atomic import temporary_target

    text = str(exc)
    where = exc.filename or ""
    cause = exc.strerror or (os.strerror(exc.errno) if exc.errno else "") or text
    found = re.search(r"filename = '([^']+)'", text)
    if not where and found:
        head, sep, name = found.group(1).rpartition("/")
        where = head + sep + (temporary_target(name) or name)
        message = re.search(r"error message = '([^']+)'", text)
        cause = message.group(1) if message else cause
    if exc.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        cause += " (no room for this file: free disk space or raise the file-size limit)"
    cause = " ".join(str(cause).split())
    if exc.filename2:
        where = f"{where} -> {exc.filename2}"
    return f"{where}: {cause}" if where else f"cannot write or read a file: {cause}"


DATA_COMMANDS = {
    "synth": "vsumbench.cli.data_cmds:synth",
    "check": "vsumbench.cli.data_cmds:check",
    "splits": "vsumbench.cli.data_cmds:splits",
    "extract": "vsumbench.cli.video_cmds:extract",
    "mrhisum-features": "vsumbench.cli.data_cmds:mrhisum_features",
}

TOP_COMMANDS = {
    "evaluate": "vsumbench.cli.eval_cmds:evaluate",
    "human": "vsumbench.cli.eval_cmds:human",
    "models": "vsumbench.cli.models_cmds:models",
    "run": "vsumbench.cli.run_cmds:run",
    "sweep": "vsumbench.cli.sweep_cmds:sweep",
    "predict": "vsumbench.cli.run_cmds:predict",
    "macs": "vsumbench.cli.macs_cmds:macs",
    "table": "vsumbench.cli.table_cmds:table",
    "report": "vsumbench.cli.report_cmds:report",
    "compare": "vsumbench.cli.table_cmds:compare",
    "plot": "vsumbench.cli.plot_cmds:plot",
    "summarize": "vsumbench.cli.video_cmds:summarize",
}


@click.group(
    cls=LazyGroup,
    lazy_commands=TOP_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="vsumbench")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the full traceback of any error (a plugin's own errors included) instead "
    "of one line.",
)
def main(debug: bool) -> None:
    """vsumbench: train, evaluate and compare video summarizers on SumMe and TVSum
    under one exact, documented protocol."""
    import signal

    # Past a file-size limit (`ulimit -f`) the kernel kills the process by default; ignored,
    # the write fails with EFBIG instead and is reported like any other I/O error.
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # SIGTERM (kill, a scheduler, a container stopping) ends a command as Ctrl-C does: runs
    # save their state and say how to resume, sweeps stop their engine within seconds.
    signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


@main.group(cls=LazyGroup, lazy_commands=DATA_COMMANDS)
def data() -> None:
    """Data: generate the synthetic benchmark, check files, make splits, extract features."""


# Shared options, so every command spells them the same way.
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Directory with the eccv16 .h5 files (default: $VSUMBENCH_DATA, else ./data).",
)
dataset_option = click.option(
    "--dataset",
    type=click.Choice([s.name for s in benchmark_datasets()], case_sensitive=False),
    required=True,
    help="Benchmark dataset.",
)


class DeviceParam(click.ParamType):
    """``--device``: auto, cpu, cuda or cuda:N, checked before any work by every command."""

    name = "device"

    def convert(self, value, param, ctx):
        from vsumbench.runner.config import check_device

        try:
            return check_device(value)
        except VsumbenchError as exc:
            self.fail(str(exc), param, ctx)


device_option = click.option(
    "--device",
    type=DeviceParam(),
    default="auto",
    show_default=True,
    help="auto (CUDA when available), cpu, cuda or cuda:N.",
)
