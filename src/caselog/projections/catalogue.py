"""The Markdown reference of the built-in projections' tables, kept in docs/projections.md.

``python -m caselog.projections.catalogue`` prints it.
"""

from __future__ import annotations

from caselog.projections.reads import BUILT_IN

__all__ = ["describe_tables"]


def describe_tables() -> str:
    """Every built-in table and column, as Markdown."""
    lines: list[str] = []
    for kind in BUILT_IN:
        for table in kind.tables:
            key = ", ".join(table.key)
            lines += [
                f"### `{table.name}`",
                "",
                f"{table.description[0].upper()}{table.description[1:]}. Kept by the "
                f"`{kind.name}` projection; key ({key}).",
                "",
                "| column | type | meaning |",
                "|---|---|---|",
            ]
            for column in table.columns:
                kind_text = column.type + ("" if column.is_nullable else ", not null")
                lines.append(f"| `{column.name}` | {kind_text} | {column.description} |")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(describe_tables(), end="")
