"""What an import did (or, as a dry run, would do): a result per row and the counts."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _

PREVIEW_ROWS = 300  # row results kept for the preview (counts cover every row)
KEPT_ERRORS = 2000  # error rows kept on the batch (all are counted)

NEW, UPDATE, UNCHANGED, ERROR, REVIEW, SKIP = (
    "new",
    "update",
    "unchanged",
    "error",
    "review",
    "skip",
)


@dataclass
class RowResult:
    """What happens (or happened) to one row."""

    row: int
    status: str
    label: str = ""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    column: str = ""
    message: str = ""
    candidate_id: int | None = None
    candidate_label: str = ""
    score: float = 0.0


@dataclass
class Outcome:
    """Counts of an import (or its dry run), the first row results and all error rows."""

    batch_id: int | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    review: int = 0
    total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    rows: list[RowResult] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: RowResult) -> None:
        """Count one row's result."""
        self.total += 1
        if result.status == NEW:
            self.created += 1
        elif result.status == UPDATE:
            self.updated += 1
        elif result.status == UNCHANGED:
            self.unchanged += 1
        elif result.status == SKIP:
            self.skipped += 1
        elif result.status == REVIEW:
            self.review += 1
            if len(self.reviews) < KEPT_ERRORS:
                self.reviews.append(
                    {
                        "row": result.row,
                        "column": result.column,
                        "message": result.message + " " + _("Nicht importiert."),
                    }
                )
        if result.status == ERROR:
            self.error_count += 1
            if len(self.errors) < KEPT_ERRORS:
                self.errors.append(
                    {"row": result.row, "column": result.column, "message": result.message}
                )
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append(result)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of a dry run (kept with the upload when a job computed it)."""
        data = {k: v for k, v in vars(self).items() if k != "rows"}
        data["rows"] = [vars(r) for r in self.rows]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        """The outcome from `to_dict`."""
        values = dict(data)
        rows = [RowResult(**r) for r in values.pop("rows", [])]
        return cls(**values, rows=rows)

    def as_json(self) -> dict[str, Any]:
        """The command line's JSON object."""
        return {
            "batch": self.batch_id,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged + self.skipped,
            "errors": sorted(self.errors + self.reviews, key=lambda e: e["row"]),
        }
