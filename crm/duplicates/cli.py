"""`flask --app crm find-duplicates KIND [--json]` and `flask --app crm merge KIND KEEP OTHER`."""

from __future__ import annotations

import json
import time

import click
from flask.cli import with_appcontext

from crm.db.engine import writing
from crm.duplicates import queries
from crm.duplicates import services
from crm.extensions import db

KIND_HELP = "organisations or persons"


def _kind(value: str) -> str:
    kind = queries.parse_kind(value)
    if kind is None:
        raise click.BadParameter(f"„{value}“: erwartet organisations oder persons.")
    return kind


@click.command("find-duplicates")
@with_appcontext
@click.argument("kind")
@click.option("--json", "as_json", is_flag=True, help="one JSON object on standard output")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="at most N pairs (0: all)")
def find_duplicates_command(kind: str, as_json: bool, limit: int) -> None:
    """Likely duplicates of KIND (organisations or persons): pairs with ids, score, reasons."""
    record_kind = _kind(kind)
    started = time.perf_counter()
    pairs = queries.find_pairs(record_kind)
    seconds = time.perf_counter() - started
    if limit:
        pairs = pairs[:limit]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "kind": f"{record_kind}s",
                    "seconds": round(seconds, 3),
                    "pairs": [
                        {"a": p.a_id, "b": p.b_id, "score": p.score, "reasons": p.reasons}
                        for p in pairs
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    for p in pairs:
        click.echo(f"{p.a_id}\t{p.b_id}\t{p.score:.1f}\t{', '.join(p.reasons)}")
    click.echo(f"{len(pairs)} mögliche Duplikate ({seconds:.2f} s).", err=True)


@click.command("merge")
@with_appcontext
@click.argument("kind")
@click.argument("keep_id", type=int)
@click.argument("other_id", type=int)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=keep|other|both",
    help="which value a field keeps (default as on the merge page)",
)
@click.option("--yes", is_flag=True, help="merge without asking")
def merge_command(
    kind: str, keep_id: int, other_id: int, fields: tuple[str, ...], yes: bool
) -> None:
    """Merge record OTHER_ID of KIND into KEEP_ID (every link of both is kept)."""
    record_kind = _kind(kind)
    choices: dict[str, str] = {}
    for item in fields:
        name, _sep, choice = item.partition("=")
        choices[name.strip()] = choice.strip()
    try:
        keep, other = services.load_pair(record_kind, keep_id, other_id)
        wanted = services.default_choices(record_kind, keep, other)
        for name, choice in choices.items():
            if name not in wanted or choice not in services.CHOICES:
                raise services.MergeError(f"--field {name}={choice}: unbekanntes Feld oder Wert.")
        wanted.update(choices)
    except services.MergeError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    keep_name = keep.full_name if record_kind == "person" else keep.name
    other_name = other.full_name if record_kind == "person" else other.name
    click.echo(f"Bleibt: {keep_name} (#{keep.id}); wird entfernt: {other_name} (#{other.id})")
    for spec in services.MERGE_FIELDS[record_kind]:
        if wanted[spec.name] != "keep":
            click.echo(f"  {spec.name}: {wanted[spec.name]}")
    db.session.rollback()
    if not yes and not click.confirm("Wirklich zusammenführen?"):
        click.echo("Nichts geändert.")
        return
    try:
        with writing():
            record = services.merge(record_kind, keep_id, other_id, wanted)
            db.session.commit()
    except services.MergeError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"Zusammengeführt: #{record.removed_id} in #{record.kept_id} "
        f"(Zusammenführung {record.id}, rückgängig auf der Duplikate-Seite)."
    )
