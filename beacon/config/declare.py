"""How a setting is declared, documented and read: the machinery, independent of any section.

Every setting is a dataclass field declared with :func:`setting`, which carries its default,
the environment variable that overrides it and a line of help. The same declarations drive
loading (environment beats the TOML file beats the default), type checking of values, the
redacted view printed by ``check`` commands and the configuration table in ``docs/``.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A setting is missing, unknown or has a value of the wrong type."""


@dataclass(frozen=True)
class Secret:
    """A value that must never be printed: its repr and str are masked."""

    value: str = field(repr=False)

    def reveal(self) -> str:
        return self.value

    def __str__(self) -> str:
        return "**********"


def setting(default: Any, *, help: str, env: str | None = None) -> Any:
    """Declare one setting: its default, its help line and its environment variable."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("setting defaults must be immutable")
    return field(default=default, metadata={"help": help, "env": env})


def section(cls: type[Any], *, help: str) -> Any:
    """Declare a nested TOML table of settings."""
    return field(default_factory=cls, metadata={"help": help, "section": True})


@dataclass(frozen=True)
class SettingInfo:
    """One declared setting, as the docs and ``check`` commands present it."""

    key: str
    env: str | None
    default: Any
    help: str


def hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def describe(cls: type[Any], prefix: str = "") -> Iterator[SettingInfo]:
    """Every setting of ``cls`` (recursively), in declaration order."""
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if f.metadata.get("section"):
            yield from describe(hints(cls)[f.name], key + ".")
        else:
            yield SettingInfo(key, f.metadata.get("env"), f.default, f.metadata["help"])
            table = table_type(hints(cls)[f.name])
            if table is not None:  # an array of tables: document the fields of one table
                yield from describe(table, key + "[].")


def table_type(hint: Any) -> type[Any] | None:
    """The dataclass of a ``tuple[SomeTable, ...]`` setting (a TOML array of tables)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and dataclasses.is_dataclass(args[0]):
        return typing.cast(type[Any], args[0])
    return None


def build_tables(cls: type[Any], raw: Any, key: str) -> tuple[Any, ...]:
    """An array of TOML tables as ``cls`` values; errors name ``key[i].field``."""
    if not isinstance(raw, list):
        raise ConfigError(f"setting {key}: expected an array of tables ([[{key}]])")
    built = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ConfigError(f"setting {key}[{i}]: expected a table")
        built.append(build(cls, item, {}, f"{key}[{i}]."))
    return tuple(built)


def convert(raw: Any, hint: Any, key: str) -> Any:
    """Cast a TOML or environment value to the declared type of setting ``key``."""
    args = typing.get_args(hint)
    table = table_type(hint)
    if table is not None:
        return build_tables(table, raw, key)
    if typing.get_origin(hint) is typing.Literal:
        if raw not in args:
            raise ConfigError(f"setting {key}: {raw!r} is not one of {', '.join(map(str, args))}")
        return raw
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if raw is None or raw == "":
            return None
        inner = [a for a in args if a is not type(None)]
        return convert(raw, inner[0], key)
    if hint is Secret:
        return raw if isinstance(raw, Secret) else Secret(str(raw))
    if typing.get_origin(hint) is tuple:
        items = [s.strip() for s in raw.split(",") if s.strip()] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ConfigError(f"setting {key}: expected a list, got {raw!r}")
        return tuple(str(i) for i in items)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in hint)
            raise ConfigError(f"setting {key}: {raw!r} is not one of {allowed}") from None
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("1", "true", "yes", "on"):
            return True
        if str(raw).lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"setting {key}: expected true or false, got {raw!r}")
    if hint in (int, float):
        if isinstance(raw, bool):
            raise ConfigError(f"setting {key}: expected a number, got {raw!r}")
        try:
            return hint(raw)
        except (TypeError, ValueError, OverflowError):
            raise ConfigError(f"setting {key}: expected a number, got {raw!r}") from None
    if hint is str:
        if not isinstance(raw, str | int | float):
            raise ConfigError(f"setting {key}: expected a string, got {raw!r}")
        return str(raw)
    raise ConfigError(f"setting {key}: unsupported type {hint!r}")


def build(cls: type[Any], table: Mapping[str, Any], environ: Mapping[str, str], prefix: str) -> Any:
    """``cls`` from a TOML table and the environment (which wins); unknown keys are errors."""
    found = hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"unknown setting {prefix}{unknown[0]}; known in [{prefix.rstrip('.') or 'top'}]: "
            + ", ".join(sorted(known))
        )
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if f.metadata.get("section"):
            sub = table.get(f.name, {})
            if not isinstance(sub, Mapping):
                raise ConfigError(f"setting {key}: expected a table")
            values[f.name] = build(found[f.name], sub, environ, key + ".")
            continue
        env = f.metadata.get("env")
        if env and environ.get(env) not in (None, ""):
            values[f.name] = convert(environ[env], found[f.name], f"{key} (${env})")
        elif f.name in table:
            values[f.name] = convert(table[f.name], found[f.name], key)
    return cls(**values)


def redacted(obj: Any) -> Any:
    """A plain, printable view of settings with every secret masked."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if isinstance(obj, Secret):
            return str(obj)
        return {f.name: redacted(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple):
        return [redacted(v) for v in obj]
    return obj
