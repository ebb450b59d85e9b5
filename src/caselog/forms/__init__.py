"""Census spreadsheets: the documented columns of the registration and left-behind forms,
importing CSV and XLSX files through the case-file commands, the registration roster as XLSX,
and the template files.
"""

from caselog.forms.columns import FORMS, LEFT_BEHIND, REGISTRATION, Column, Form, Kind, column_table
from caselog.forms.errors import FormError
from caselog.forms.importing import detect_form, import_file, import_sheet
from caselog.forms.reading import Row, Sheet, read_sheet
from caselog.forms.report import ImportReport, RowError
from caselog.forms.roster import ROSTER_COLUMNS, roster_rows, write_roster
from caselog.forms.templates import write_templates

__all__ = [
    "FORMS",
    "LEFT_BEHIND",
    "REGISTRATION",
    "ROSTER_COLUMNS",
    "Column",
    "Form",
    "FormError",
    "ImportReport",
    "Kind",
    "Row",
    "RowError",
    "Sheet",
    "column_table",
    "detect_form",
    "import_file",
    "import_sheet",
    "read_sheet",
    "roster_rows",
    "write_roster",
    "write_templates",
]
