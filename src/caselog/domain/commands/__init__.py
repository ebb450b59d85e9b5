"""The command API of the case file: one method per command, mixed into :class:`caselog.Caselog`.

Every command takes the acting worker (``actor``) and the ``effective`` date, checks itself against
the directory (the worker's role and area) and the file's state, appends with optimistic
concurrency, and returns the recorded events. A refused command raises
:class:`~caselog.ValidationError` naming the field, and writes nothing.
"""

from caselog.domain.commands.applications import ApplicationCommands
from caselog.domain.commands.categories import CategoryCommands
from caselog.domain.commands.entitlements import EntitlementCommands
from caselog.domain.commands.facts import FactCommands
from caselog.domain.commands.fixes import FixCommands
from caselog.domain.commands.registration import RegistrationCommands
from caselog.domain.commands.status import StatusCommands

__all__ = ["CaseFileCommands"]


class CaseFileCommands(
    RegistrationCommands,
    FactCommands,
    StatusCommands,
    FixCommands,
    CategoryCommands,
    ApplicationCommands,
    EntitlementCommands,
):
    """Every case-file command and read."""
