"""The ``caselog`` command."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from caselog import demo as demo_story
from caselog.errors import CaselogError
from caselog.integrity import Checkpoint
from caselog.log import Caselog
from caselog.log import open as open_log

__all__ = ["cli", "main"]


class _Context:
    def __init__(self, url: str, debug: bool) -> None:
        self.url = url
        self.debug = debug

    def open(self) -> Caselog:
        return open_log(self.url, registry=demo_story.REGISTRY)


@click.group()
@click.option(
    "--db",
    "url",
    envvar="CASELOG_DB",
    default="caselog.db",
    show_default=True,
    help="Store URL or SQLite path (default from CASELOG_DB).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, url: str, debug: bool) -> None:
    """Keep and check caselog event logs."""
    ctx.obj = _Context(url, debug)


@cli.command()
@click.pass_obj
def demo(obj: _Context) -> None:
    """Write a small demo story, read it back, verify it, and print a summary."""
    with obj.open() as log:
        new = demo_story.write_story(log)
        events = list(log.iter_log())
        report = log.verify()
    streams = Counter(event.stream for event in events)
    click.echo(f"caselog demo on {obj.url}")
    click.echo(f"  wrote {new} new events; the log holds {len(events)}")
    for stream, count in sorted(streams.items()):
        click.echo(f"  {stream:<20} {count} event{'s' if count != 1 else ''}")
    if events:
        last = events[-1]
        click.echo(f"  last: position {last.position}, {last.type}, recorded {last.recorded}")
    click.echo(f"  verify: {report}")
    if not report.is_ok:
        raise SystemExit(1)


@cli.command()
@click.option("--after", default=0, show_default=True, help="Start after this position.")
@click.option("--limit", default=100, show_default=True, help="At most this many events.")
@click.pass_obj
def log(obj: _Context, after: int, limit: int) -> None:
    """Print stored events as JSON lines, payloads as stored."""
    with obj.open() as opened:
        for event in opened.store.read_log(after=after, limit=limit):
            record: dict[str, Any] = event._asdict()
            record["data"] = json.loads(event.data)
            click.echo(json.dumps(record, ensure_ascii=False))


@cli.command()
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check the log against a checkpoint saved earlier.",
)
@click.pass_obj
def verify(obj: _Context, checkpoint_file: Path | None) -> None:
    """Recompute the hash chains; exit 1 naming the first bad event if they do not hold."""
    checkpoint = None
    if checkpoint_file is not None:
        checkpoint = Checkpoint.from_json(checkpoint_file.read_text())
    with obj.open() as opened:
        report = opened.verify(checkpoint=checkpoint)
    click.echo(str(report))
    if not report.is_ok:
        raise SystemExit(1)


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the checkpoint to this file instead of standard output.",
)
@click.pass_obj
def checkpoint(obj: _Context, output: Path | None) -> None:
    """Print the chain head now, to keep where the store's writers cannot reach."""
    with obj.open() as opened:
        text = opened.checkpoint().to_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)


def main() -> None:
    """Run the command; caselog's errors end it with a one-line message and exit status 1."""
    debug = "--debug" in sys.argv
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except CaselogError as exc:
        if debug:
            raise
        click.echo(f"caselog: {exc}", err=True)
        raise SystemExit(1) from None
