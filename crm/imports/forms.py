"""The forms of the import wizard (the column selects are built per file in the view)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from crm.formats.readers import DELIMITERS
from crm.formats.readers import ENCODINGS
from crm.imports import mapping as m
from crm.web.fields import Form
from crm.web.fields import GermanIntegerField
from crm.web.fields import required

ENCODING_LABELS = {
    "utf-8-sig": _l("UTF-8 mit BOM"),
    "utf-8": _l("UTF-8"),
    "cp1252": _l("Windows-1252 (Excel unter Windows)"),
}
DELIMITER_LABELS = {";": _l("Semikolon (;)"), ",": _l("Komma (,)"), "\t": _l("Tabulator")}


class UploadForm(Form):
    """Step 1: which kind of records, which file."""

    kind = SelectField(
        _l("Was wird importiert?"),
        choices=[],
        validators=[required(_l("Bitte wählen, was importiert wird."))],
    )
    file = FileField(
        _l("Datei (CSV, XLSX oder ODS)"),
        validators=[FileRequired(_l("Bitte eine Datei wählen."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, str(m.KIND_LABELS[k])) for k in m.KINDS]


class SettingsForm(Form):
    """Step 2: how the file is read (detected, correctable)."""

    encoding = SelectField(_l("Zeichenkodierung"), choices=[])
    delimiter = SelectField(_l("Trennzeichen"), choices=[])
    header_row = GermanIntegerField(
        _l("Zeile mit den Spaltenköpfen"),
        validators=[
            required(_l("Bitte die Zeile der Spaltenköpfe angeben.")),
            NumberRange(min=1, max=50, message=_l("Bitte eine Zeile zwischen 1 und 50.")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.encoding.choices = [(e, str(ENCODING_LABELS[e])) for e in ENCODINGS]
        self.delimiter.choices = [(d, str(DELIMITER_LABELS[d])) for d in DELIMITERS]


class MappingForm(Form):
    """Step 3: the mode and an optional name to save the mapping under."""

    mode = SelectField(_l("Vorgehen"), choices=[])
    save_as = StringField(
        _l("Zuordnung speichern als (optional)"),
        validators=[Optional(), Length(max=80, message=_l("Höchstens 80 Zeichen."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = [(k, str(m.MODE_LABELS[k])) for k in m.MODES]
