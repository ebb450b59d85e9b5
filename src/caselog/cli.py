"""The ``caselog`` command: a demo programme, imports and exports, and every read of the log.

Read commands print ``--format table`` (for people), ``json`` or ``csv`` (stable, for scripts);
dates are ISO 8601 and instants UTC. Every error ends the command with a one-line message and a
non-zero status (``--debug`` shows the traceback). Long work shows a progress bar on a terminal
and stays quiet when piped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from caselog import exports
from caselog.errors import CaselogError, ValidationError
from caselog.events.codec import converter
from caselog.exports import Sheet
from caselog.integrity import Checkpoint
from caselog.log import Caselog
from caselog.log import open as open_log
from caselog.projections.caseloads import BY
from caselog.projections.files import file_rows

__all__ = ["cli", "main"]


class _Context:
    def __init__(self, url: str, debug: bool) -> None:
        self.url = url
        self.debug = debug

    def open(self) -> Caselog:
        """The log at ``--db``, which must exist: a mistyped path is refused rather than read
        as a new, empty store (only ``demo`` creates one)."""
        path = _sqlite_path(self.url)
        if path is not None and path != ":memory:" and not Path(path).exists():
            raise ValidationError("db", f"no store at {path!r} (caselog demo creates one)")
        return open_log(self.url)


def _sqlite_path(url: str) -> str | None:
    """The file a SQLite URL or bare path names; None for other stores."""
    scheme, colon, rest = url.partition(":")
    if colon and len(scheme) > 1 and scheme.lower() != "sqlite":
        return None  # memory:, postgresql://, ... (one letter: a Windows drive)
    if scheme.lower() == "sqlite" and colon:
        rest = rest.partition("?")[0]
        return rest[3:] if rest.startswith("///") else rest.removeprefix("//")
    return url


# -- options and values


def _day(_: Any, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _instant(_: Any, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time (ISO 8601)") from None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


_format = click.option(
    "--format",
    "output",
    type=click.Choice(exports.OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="table for people; json or csv for scripts.",
)
_mask = click.option(
    "--mask",
    type=click.Choice(list(exports.MASK)),
    default="none",
    show_default=True,
    help="Mask identifying (or also sensitive) values.",
)
_area = click.option("--area", help="Area code (default: the programme's only top area).")
_as_of = click.option("--as-of", callback=_day, help="The day asked about (default: today).")
_known_at = click.option(
    "--known-at",
    callback=_instant,
    help="As the log knew it at this instant (ISO 8601; UTC unless it says): a report run then.",
)


def _print(sheets: Sequence[Sheet], output: str) -> None:
    click.echo(exports.render(sheets, output), nl=False)


def _today(log: Caselog) -> date:
    return log.clock().date()


def _top_area(log: Caselog, area: str | None) -> str:
    if area is not None:
        return area
    tops = sorted(a.code for a in log.directory().areas.values() if a.parent is None)
    if len(tops) == 1:
        return tops[0]
    known = ", ".join(tops) or "none yet"
    raise ValidationError("area", f"choose one with --area (top areas: {known})")


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (standard error), nothing when piped."""
    if not sys.stderr.isatty() or total <= 0:
        yield lambda _: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            bar.update(max(position - done, 0))
            done = max(done, position)

        yield advance


def _head(log: Caselog) -> int:
    return log.checkpoint().position


# -- the group


class _Failed(click.ClickException):
    """A caselog error, shown as one line."""

    def show(self, file: Any = None) -> None:
        click.echo(f"caselog: {self.format_message()}", err=True)


class _Group(click.Group):
    """Turns every error into a one-line message and exit status 1 (caselog's errors and files
    that cannot be read or written as they are; anything else named as unexpected), unless
    ``--debug`` asks for the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if isinstance(ctx.obj, _Context) and ctx.obj.debug:
                raise
            known = isinstance(exc, CaselogError | OSError)
            message = str(exc) if known else f"unexpected {type(exc).__name__}: {exc}"
            raise _Failed(" ".join(message.split())) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "url",
    envvar="CASELOG_DB",
    default="caselog.db",
    show_default=True,
    help="Store URL or SQLite path (default from CASELOG_DB).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="caselog")
@click.pass_context
def cli(ctx: click.Context, url: str, debug: bool) -> None:
    """Keep children's case files as a tamper-evident, bitemporal event log, and read them."""
    ctx.obj = _Context(url, debug)


# -- the demo


@cli.command()
@click.option("--seed", default=1, show_default=True, help="The same seed writes the same log.")
@click.option("--villages", default=None, type=click.IntRange(min=2),
              help="Villages (at least 2; default 4, the first the example village).")  # fmt: skip
@click.option("--children-per-village", type=click.IntRange(min=1),
              help="Children in each village but the first (default: 180 to 320).")  # fmt: skip
@click.pass_obj
def demo(obj: _Context, seed: int, villages: int | None, children_per_village: int | None) -> None:
    """Write a synthetic programme into an empty store: areas, workers, households and children,
    five years of visits, corrections, moves, applications, entitlements and payments, on a
    simulated clock (see docs/demo.md). The first village is the programme report's village of
    235 children: 38 left-behind, 7 in difficulty, 1 disabled."""
    from caselog.synthetic import DEFAULT_VILLAGES, generate

    with _progress(1000, "writing the demo") as advance:

        def progress(done: int, total: int) -> None:
            advance(done * 1000 // max(total, 1))

        summary = generate(obj.url, seed=seed, villages=villages or DEFAULT_VILLAGES,
                           children_per_village=children_per_village,
                           progress=progress)  # fmt: skip
    click.echo(f"caselog demo into {obj.url}")
    for line in summary.lines():
        click.echo(f"  {line}")


# -- reads


@cli.command("file")
@click.argument("child")
@_as_of
@_known_at
@_mask
@_format
@click.pass_obj
def file_(
    obj: _Context,
    child: str,
    as_of: date | None,
    known_at: datetime | None,
    mask: str,
    output: str,
) -> None:
    """A child's file, now or as of a day, as known at an instant."""
    with obj.open() as log:
        found = log.child_file(child, as_of=as_of, known_at=known_at)
    if found is None:
        raise ValidationError("child", f"no file of {child!r} as asked")
    disclosure = exports.MASK[mask]
    if output == "json":
        record = disclosure.record(converter.unstructure(found), exports.FILE_PRIVACY)
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(exports.render([exports.file_sheet(found)], output, disclosure=disclosure),
                   nl=False)  # fmt: skip


@cli.command()
@click.argument("child")
@_mask
@_format
@click.pass_obj
def audit(obj: _Context, child: str, mask: str, output: str) -> None:
    """Every event that touched a child's file: who, both times, why, what changed."""
    with obj.open() as log:
        trail = log.audit_trail(child)
    if not trail:
        raise ValidationError("child", f"no events of {child!r}")
    sheet = exports.audit_sheet(child, trail)
    click.echo(exports.render([sheet], output, disclosure=exports.MASK[mask]), nl=False)


@cli.command()
@_area
@_as_of
@_known_at
@click.option("--by", "by", multiple=True, type=click.Choice(BY), help="Count by (repeatable; "
              "default: category).")  # fmt: skip
@_format
@click.pass_obj
def caseload(
    obj: _Context,
    area: str | None,
    as_of: date | None,
    known_at: datetime | None,
    by: tuple[str, ...],
    output: str,
) -> None:
    """Children whose file was open in an area on a day, counted by category (or subtype, sex,
    age band), as the log knew it at an instant."""
    with obj.open() as log:
        report = log.caseload(_top_area(log, area), as_of=as_of or _today(log),
                              known_at=known_at, by=by or ("category",))  # fmt: skip
    _print([exports.caseload_sheet(report)], output)


@cli.command()
@_area
@_as_of
@click.option("--within", default=7, show_default=True, help="Days ahead counted as due soon.")
@click.option("--overdue", is_flag=True, help="Only the overdue visits.")
@_format
@click.pass_obj
def visits(
    obj: _Context, area: str | None, as_of: date | None, within: int, overdue: bool, output: str
) -> None:
    """Visits due soon and overdue, children never visited, concerns without follow-up."""
    with obj.open() as log:
        report = log.visits(_top_area(log, area), on=as_of or _today(log), within=within)
    sheet = exports.visits_sheet(report)
    if overdue:
        sheet = Sheet(sheet.title, sheet.columns, tuple(r for r in sheet.rows if r[0] == "overdue"))
    _print([sheet], output)


@cli.command()
@_area
@_as_of
@click.option("--level", type=click.Choice(["township", "county"]), help="Only this level.")
@click.option("--status", type=click.Choice(["submitted", "verified", "returned"]),
              help="Only applications in this state.")  # fmt: skip
@_format
@click.pass_obj
def applications(
    obj: _Context,
    area: str | None,
    as_of: date | None,
    level: str | None,
    status: str | None,
    output: str,
) -> None:
    """Applications waiting for a level, working days waited against its limit, breaches."""
    with obj.open() as log:
        on = as_of or _today(log)
        area = _top_area(log, area)
        waiting = log.applications_waiting(area, on=on, level=level)
    if status is not None:
        waiting = [w for w in waiting if w.status == status]
    _print([exports.waiting_sheet(area, on, waiting)], output)


@cli.command()
@_area
@click.option("--through", help="The last month (YYYY-MM; default: this month).")
@_format
@click.pass_obj
def payments(obj: _Context, area: str | None, through: str | None, output: str) -> None:
    """The payments ledger: expected, issued, confirmed and arrears per child and month, with
    totals per benefit (json and csv: the lines)."""
    with obj.open() as log:
        month = through or _today(log).strftime("%Y-%m")
        ledger = log.payments_ledger(_top_area(log, area), through=month)
    _print([exports.ledger_sheet(ledger), exports.totals_sheet(ledger)], output)


@cli.command()
@click.argument("application")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="text for people, or json.")  # fmt: skip
@click.pass_obj
def explain(obj: _Context, application: str, output: str) -> None:
    """Each verification and decision of an application: what the decider saw, and the same
    question asked again with today's knowledge."""
    with obj.open() as log:
        explanation = log.explain_decision(application)
    if output == "json":
        record = converter.unstructure(explanation)
        record["is_undermined"] = explanation.is_undermined
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(str(explanation))


# -- imports


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))  # fmt: skip
@click.option("--actor", required=True, help="The worker recording the rows.")
@click.option("--form", type=click.Choice(["registration", "left_behind"]),
              help="The form (default: told by the headers).")  # fmt: skip
@click.option("--effective", callback=_day,
              help="The day of rows without a census_date (default: today).")  # fmt: skip
@click.option("--sheet", help="The XLSX worksheet (default: the first).")
@click.pass_obj
def import_(
    obj: _Context,
    files: tuple[Path, ...],
    actor: str,
    form: str | None,
    effective: date | None,
    sheet: str | None,
) -> None:
    """Record the rows of census spreadsheets (CSV or XLSX; see docs/import.md): each valid row
    through the case-file commands, each invalid one reported by file, row, column and reason.
    Importing a file again records nothing new. Exits 1 if any row was refused."""
    from caselog.forms import import_file

    clean = True
    with obj.open() as log, _progress(len(files), "importing") as progress:
        for done, path in enumerate(files, start=1):
            report = import_file(log, path, actor=actor, form=form,
                                 effective=effective or _today(log), sheet=sheet)  # fmt: skip
            clean = clean and report.is_clean
            progress(done)
            click.echo(str(report))
    if not clean:
        raise SystemExit(1)


# -- exports

_KINDS = ("child-files", "caseload", "payments", "audit", "roster")


@cli.command()
@click.argument("kind", type=click.Choice(_KINDS))
@click.option("--output", "-o", "path", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write; its extension chooses the format.")  # fmt: skip
@click.option("--format", "file_format", type=click.Choice(("csv", "jsonl", "json", "xlsx")),
              help="csv, jsonl, json or xlsx (default: from the file's extension).")  # fmt: skip
@_area
@click.option("--child", help="The child (audit).")
@_as_of
@_known_at
@click.option("--by", "by", multiple=True, type=click.Choice(BY), help="Caseload: count by.")
@click.option("--through", help="Payments: the last month (YYYY-MM; default: this month).")
@_mask
@click.pass_obj
def export(
    obj: _Context,
    kind: str,
    path: Path,
    file_format: str | None,
    area: str | None,
    child: str | None,
    as_of: date | None,
    known_at: datetime | None,
    by: tuple[str, ...],
    through: str | None,
    mask: str,
) -> None:
    """Write child files, a caseload, the payments ledger (with totals) or a child's audit
    trail to CSV, JSON Lines, JSON or XLSX (an XLSX holds every sheet); or an area's
    registration roster (XLSX, in the registration form's columns, to edit and import again)."""
    if kind == "roster":
        from caselog.forms import write_roster

        if mask != "none":
            raise ValidationError("mask", "a roster is for re-import: it cannot be masked")
        with obj.open() as log:
            rows = write_roster(log, _top_area(log, area), path, as_of=as_of)
        click.echo(f"wrote {rows} row{'s' if rows != 1 else ''} of roster to {path} (xlsx)")
        return
    with obj.open() as log:
        sheets = _export_sheets(log, kind, area=area, child=child, as_of=as_of,
                                known_at=known_at, by=by, through=through)  # fmt: skip
    written = exports.write(sheets, path, format=file_format, disclosure=exports.MASK[mask])
    rows = len(sheets[0].rows)
    click.echo(f"wrote {rows} row{'s' if rows != 1 else ''} of {kind} to {path} ({written})")


def _export_sheets(
    log: Caselog,
    kind: str,
    *,
    area: str | None,
    child: str | None,
    as_of: date | None,
    known_at: datetime | None,
    by: tuple[str, ...],
    through: str | None,
) -> list[Sheet]:
    if kind == "audit":
        if child is None:
            raise ValidationError("child", "an audit trail export names the child (--child)")
        return [exports.audit_sheet(child, log.audit_trail(child))]
    chosen = _top_area(log, area)
    if kind == "child-files":
        return [exports.child_files_sheet(file_rows(log, chosen), title=f"child files of {chosen}")]
    if kind == "caseload":
        report = log.caseload(chosen, as_of=as_of or _today(log), known_at=known_at,
                              by=by or ("category",))  # fmt: skip
        return [exports.caseload_sheet(report)]
    ledger = log.payments_ledger(chosen, through=through or _today(log).strftime("%Y-%m"))
    return [exports.ledger_sheet(ledger), exports.totals_sheet(ledger)]


# -- the log


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
    with obj.open() as opened, _progress(_head(opened), "verifying") as progress:
        report = opened.verify(checkpoint=checkpoint, progress=progress)
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


@cli.command()
@click.argument("name", required=False)
@click.pass_obj
def rebuild(obj: _Context, name: str | None) -> None:
    """Drop a projection's tables (or all) and replay the whole log into them."""
    with obj.open() as opened, _progress(_head(opened), "rebuilding") as progress:
        positions = opened.rebuild(name, progress=progress)
    for projection, position in sorted(positions.items()):
        click.echo(f"{projection}: rebuilt to position {position}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of every event type, for tools in other languages
    to validate what they send (see docs/schema.md)."""
    from caselog.events.schema import json_schema_text

    click.echo(json_schema_text(), nl=False)


def main() -> None:
    """Run the command: every error ends it with a one-line message and exit status 1 (2 for a
    mistake in the command line), with a traceback only under ``--debug``."""
    cli(prog_name="caselog")
