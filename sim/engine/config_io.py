"""Reading configs from YAML, applying ``--set`` overrides, and explaining what is wrong.

Configs are data: YAML is read with the safe loader and nothing in a config is executed. Every
problem is reported as a :class:`ConfigError` whose lines name the file, the field path, the value
and what is allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.engine.config import Config


class ConfigError(ValueError):
    """A config that cannot be used, with one line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def load_config(path: str | Path, overrides: Iterable[str] = ()) -> Config:
    """Load, override and validate a YAML config file.

    Args:
        path: The YAML file.
        overrides: ``dotted.path=value`` strings; values are parsed as YAML (``3``, ``0.5``,
            ``true``, ``[1, 2]``); list items are addressed by index (``gifts.0.coins=2``).

    Returns:
        The validated, frozen config. Its ``name`` defaults to the file's stem.

    Raises:
        ConfigError: The file is missing or unreadable, is not YAML, or the config is invalid.
    """
    path = Path(path)
    raw = read_with_extends(path)
    raw.setdefault("name", path.stem)
    return config_from_dict(apply_overrides(raw, overrides, source=str(path)), source=str(path))


def read_with_extends(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a config; if it says ``extends: other.yaml`` (relative to it), lay it over that one.

    Mappings merge key by key, at any depth; any other value (a list, a number) replaces the base's.
    """
    raw = read_yaml_mapping(path)
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    if not isinstance(base_name, str):
        raise ConfigError(str(path), [f"extends: expected a file name, got {base_name!r}"])
    base_path = (path.parent / base_name).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ConfigError(str(path), [f"extends: {base_name} extends itself, directly or through others"])
    base = read_with_extends(base_path, (*seen, path.resolve()))
    base.pop("name", None)  # a preset's name is its own, not its base's
    return _merge(base, raw)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping, with clear errors for every way it can fail."""
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(source, ["no such file"]) from None
    except IsADirectoryError:
        raise ConfigError(source, ["is a directory; expected a YAML file"]) from None
    except OSError as exc:
        raise ConfigError(source, [f"cannot be read: {exc.strerror}"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(source, [f"is not UTF-8 text (bad byte at offset {exc.start})"]) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, [f"{where}YAML syntax error: {problem}"]) from None
    if not isinstance(raw, dict):
        raise ConfigError(source, [f"must hold a mapping of sections, got {type(raw).__name__}"])
    return raw


def config_from_dict(raw: Mapping[str, Any], source: str = "<config>") -> Config:
    """Validate a plain mapping into a :class:`Config`, translating pydantic's errors."""
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, [describe_error(e) for e in exc.errors()]) from None


def describe_error(error: Mapping[str, Any]) -> str:
    """One line for one pydantic error: field path, what is wrong, and the value given."""
    path = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "value_error" and not path:
        return message
    if error["type"] in ("missing", "extra_forbidden") or not path:
        shown = ""
    else:
        shown = f" (got {json.dumps(error.get('input'), default=repr)[:80]})"
    if error["type"] == "extra_forbidden":
        message = "unknown key; see `giftsim schema` for the allowed keys"
    return f"{path}: {message}{shown}"


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str], source: str) -> dict[str, Any]:
    """Return a copy of ``raw`` with each ``dotted.path=value`` override set."""
    result = json.loads(json.dumps(raw, default=str))  # a deep copy that owns every container
    for override in overrides:
        key, value = parse_override(override, source)
        _set_path(result, key.split("."), value, source)
    return result


def parse_override(override: str, source: str) -> tuple[str, Any]:
    """Split a ``dotted.path=value`` string into its path and its value, read as YAML.

    Raises:
        ConfigError: No ``=``, no path, or a value that is not YAML.
    """
    key, sep, text = override.partition("=")
    if not sep or not key:
        raise ConfigError(source, [f"--set {override!r}: expected dotted.path=value"])
    try:
        return key, yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(source, [f"--set {key}: cannot parse value {text!r}"]) from None


def _set_path(node: Any, parts: list[str], value: Any, source: str) -> None:
    """Set ``value`` at ``parts`` below ``node``, creating sections that the file left out."""
    for depth, part in enumerate(parts):
        path = ".".join(parts[: depth + 1])
        is_leaf = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(source, [f"--set {path}: {part!r} is not an index from 0 to {len(node) - 1}"])
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            if not is_leaf:
                node.setdefault(key, {})
        else:
            raise ConfigError(source, [f"--set {path}: {'.'.join(parts[:depth])} is a value, not a section"])
        if is_leaf:
            node[key] = value
        else:
            node = node[key]


def config_to_yaml(config: Config) -> str:
    """The resolved config as YAML that :func:`load_config` reads back to an equal config."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def config_schema() -> dict[str, Any]:
    """The JSON Schema of a config file."""
    return Config.model_json_schema()
