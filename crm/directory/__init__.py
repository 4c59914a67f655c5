"""The directory: initiatives, organisations and persons.

`views` holds the blueprint with the lists and the initiative page; `records` adds the
create, edit and delete pages and the organisation and person pages to it, `export_views`
the pages of a large export.
"""

from crm.directory import export_views as export_views
from crm.directory import records as records
