"""Command line: ``dedupe scan INPUT... [-o DIR]``.

Each command is its docstring and a few calls into the library. Library errors
become one ``Error: ...`` line and exit 1; usage mistakes exit 2; no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from dedupe import __version__
from dedupe.config import Config
from dedupe.read import InputError, read_inputs
from dedupe.report import summary, write_json
from dedupe.scan import scan as run_scan

F = TypeVar("F", bound=Callable[..., Any])


def config_options(command: F) -> F:
    """Add one ``--name`` option per Config setting, with its documented default."""
    for name, kind, default, help_text in reversed(Config.settings()):
        command = click.option(
            "--" + name.replace("_", "-"), name, type=kind, default=default,
            show_default=True, help=help_text,
        )(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
def cli() -> None:
    """Find duplicates, syndicated copies, reused passages and template boilerplate
    in article corpora, and cluster articles by likely common origin.

    Example:

        dedupe scan seeds/
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True,
              help="directory for report.json")
@click.option("--strict", is_flag=True, help="stop with an error at the first skipped input")
@click.option("-q", "--quiet", is_flag=True, help="print nothing but errors")
@config_options
def scan(inputs: tuple[str, ...], output: Path, strict: bool, quiet: bool,
         **settings: Any) -> None:
    """Scan INPUTS (directories of .txt/.md, .jsonl, .jsonl.gz, .csv, or - for
    JSONL on stdin) and write DIR/report.json.

    Example:

        dedupe scan seeds/

        dedupe scan feed.jsonl archive/ -o out/ --near-duplicate 0.8
    """
    try:
        config = Config(**settings)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    try:
        corpus = read_inputs(inputs, strict=strict)
    except InputError as error:
        raise click.ClickException(f"{error} (remove --strict to skip it and go on)") from error
    for skip in corpus.skipped:
        click.echo(f"skipped {skip.where}: {skip.reason}", err=True)
    for warning in corpus.warnings:
        click.echo(f"warning {warning.where}: {warning.reason}", err=True)
    show = not quiet and sys.stderr.isatty()
    result = run_scan(corpus.articles, config, skipped=corpus.skipped,
                      warnings=corpus.warnings, progress=_bar if show else None)
    path = write_json(result, output)
    if not quiet:
        click.echo(summary(result))
        click.echo(f"\nwrote {path}")
        if corpus.skipped:
            click.echo(f"{len(corpus.skipped)} input(s) skipped: listed above and in report.json")


def _bar(items: Iterable[Any], label: str, total: int) -> Iterable[Any]:
    return tqdm(items, desc=label, total=total, leave=False, file=sys.stderr)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dedupe")
