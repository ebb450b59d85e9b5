"""caselog-postgres: caselog's events and projections in PostgreSQL, through psycopg 3.

Install it beside caselog and open a store by URL::

    caselog.open("postgresql://user@host/db?schema=caselog")

The factory is registered in the entry-point group ``caselog.stores`` under ``postgresql`` and
``postgres``; caselog never imports this package itself.
"""

from caselog_postgres.schema import LAYOUT_VERSION
from caselog_postgres.store import Durability, PostgresStore
from caselog_postgres.url import open_store

__all__ = ["LAYOUT_VERSION", "Durability", "PostgresStore", "open_store"]
