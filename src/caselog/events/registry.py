"""Event types: payload classes registered under explicit, stable names, and their upcasters.

The stored type name never comes from a Python qualname, so classes can be renamed and moved
freely. When a payload's shape changes, its schema number goes up and an upcaster lifts stored
payloads of the old schema, as plain JSON data, one version at a time, when they are read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from caselog.errors import PayloadError, UnknownEventTypeError, ValidationError
from caselog.store import _NAME

__all__ = ["EventRegistry", "EventType", "Upcaster", "default_registry", "event_type", "upcaster"]

T = TypeVar("T", bound=type)
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Lifts a payload's JSON data from one schema version to the next."""


@attrs.frozen
class EventType:
    """A registered payload class, its stored name and its current schema version."""

    name: str
    schema: int
    cls: type


def _is_frozen_attrs(cls: type) -> bool:
    return attrs.has(cls) and getattr(cls.__setattr__, "__name__", "") == "_frozen_setattrs"


class EventRegistry:
    """Maps stored type names to payload classes and back, and holds the upcasters."""

    def __init__(self) -> None:
        self._by_name: dict[str, EventType] = {}
        self._by_class: dict[type, EventType] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def add(self, cls: type, name: str, *, schema: int = 1) -> EventType:
        """Register ``cls`` (a frozen attrs class) as the payload of event type ``name``."""
        if not _is_frozen_attrs(cls):
            raise ValidationError("cls", f"{cls.__qualname__} is not a frozen attrs class")
        if not _NAME.fullmatch(name):
            raise ValidationError("name", f"{name!r} is not an event type name")
        if type(schema) is not int or schema < 1:
            raise ValidationError("schema", f"{schema!r} is not a schema version (>= 1)")
        known = self._by_name.get(name)
        if known is not None and known.cls is not cls:
            raise ValidationError(
                "name", f"{name!r} is registered already, for {known.cls.__qualname__}"
            )
        if cls in self._by_class and self._by_class[cls].name != name:
            raise ValidationError(
                "cls", f"{cls.__qualname__} is registered already as {self._by_class[cls].name!r}"
            )
        entry = EventType(name, schema, cls)
        self._by_name[name] = self._by_class[cls] = entry
        return entry

    def register(self, name: str, *, schema: int = 1) -> Callable[[T], T]:
        """Class decorator form of :meth:`add`."""

        def decorate(cls: T) -> T:
            self.add(cls, name, schema=schema)
            return cls

        return decorate

    def add_upcaster(self, name: str, function: Upcaster, *, schema: int) -> None:
        """Register ``function`` to lift payloads of type ``name`` from ``schema`` to the next."""
        key = (name, schema)
        if key in self._upcasters:
            raise ValidationError("schema", f"{name!r} has an upcaster from schema {schema}")
        self._upcasters[key] = function

    def upcaster(self, name: str, *, schema: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator form of :meth:`add_upcaster`."""

        def decorate(function: Upcaster) -> Upcaster:
            self.add_upcaster(name, function, schema=schema)
            return function

        return decorate

    def of_class(self, cls: type) -> EventType:
        """Return the registration of a payload class."""
        try:
            return self._by_class[cls]
        except KeyError:
            raise UnknownEventTypeError(f"<unregistered class {cls.__qualname__}>") from None

    def of_name(self, name: str, *, event_id: str | None = None) -> EventType:
        """Return the registration of a stored type name."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownEventTypeError(name, event_id=event_id) from None

    def lift(
        self, name: str, schema: int, data: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        """Upcast stored payload data of type ``name`` from ``schema`` to the current schema."""
        current = self.of_name(name, event_id=event_id).schema
        if schema > current:
            raise PayloadError(
                name,
                f"stored with schema {schema}, newer than the {current} this code knows",
                event_id=event_id,
            )
        for version in range(schema, current):
            function = self._upcasters.get((name, version))
            if function is None:
                reason = f"no upcaster from schema {version} to {version + 1}"
                raise PayloadError(name, reason, event_id=event_id)
            data = function(data)
        return data

    def names(self) -> list[str]:
        """Return the registered type names, sorted."""
        return sorted(self._by_name)

    def __contains__(self, item: object) -> bool:
        return item in self._by_name or item in self._by_class


default_registry = EventRegistry()
"""The registry :func:`event_type` and :func:`upcaster` use unless given another."""


def event_type(
    name: str, *, schema: int = 1, registry: EventRegistry = default_registry
) -> Callable[[T], T]:
    """Register the decorated frozen attrs class as the payload of event type ``name``."""
    return registry.register(name, schema=schema)


def upcaster(
    name: str, *, schema: int, registry: EventRegistry = default_registry
) -> Callable[[Upcaster], Upcaster]:
    """Register the decorated function to lift ``name`` payloads from ``schema`` to the next."""
    return registry.upcaster(name, schema=schema)
