"""Reading configs from YAML, applying ``--set`` overrides, and explaining what is wrong.

Configs are data: YAML is read with the safe loader and nothing in a config is executed. Every
problem is reported as a :class:`ConfigError` whose lines name the file, the field path, the value
and what is allowed.

YAML is read as YAML 1.2's core schema reads it, not PyYAML's YAML 1.1: only ``true`` and ``false``
are booleans (a region ``NO`` stays ``"NO"``, ``yes`` stays a string); ``010`` is 10 (not octal 8),
``0o17`` 15, ``0x1F`` 31 and ``1e6`` a number; ``1:30`` (not 90) and ``1_0`` (not 10) are text, which
a numeric field refuses. Files, ``--set`` values and sweep grids are all read by :class:`ConfigLoader`.
A key given twice in one mapping is an error, not a silent replacement. A file is read up to
:data:`MAX_FILE_BYTES`, and what it holds, with its aliases expanded, up to :data:`MAX_NODES` values
nested :data:`MAX_DEPTH` deep, so an alias bomb or a recursive alias is refused in a moment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.engine.config import Config

MAX_FILE_BYTES = 1_000_000  # a config or sweep spec; the largest preset is about 5 KB
MAX_NODES = 200_000  # values in a file once its aliases are expanded
MAX_DEPTH = 50  # nesting of mappings and lists
PRESETS_DIR = Path(__file__).resolve().parents[2] / "configs"  # the presets of a source checkout


# The YAML 1.1 rules PyYAML's safe loader applies to plain scalars that YAML 1.2's core schema does not:
# 010 octal, 1:30 sexagesimal, 1_0 with its underscore dropped, yes/no/on/off booleans, 2024-01-01 dates, "=".
YAML_1_1_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp", "value"))
# YAML 1.2's core schema (yaml.org/spec/1.2.2, 10.3.2), in the order they are tried.
CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
CORE_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
CORE_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                        r"|[-+]?(?:\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN)$")
NUMBER_START = list("-+0123456789.")


class ConfigLoader(yaml.SafeLoader):
    """The safe loader with YAML 1.2's core schema for booleans, integers and floats, refusing a key given twice.

    ``010`` is 10, ``0o17`` 15, ``0x1F`` 31, ``1e6`` a float; ``1:30``, ``1_0``, ``yes`` and ``2024-01-01``
    are text, which a numeric or boolean field then refuses.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in YAML_1_1_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key_node.value!r} is given twice in one mapping", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        """An integer as YAML 1.2 writes it: decimal (leading zeros allowed), ``0o`` octal or ``0x`` hexadecimal."""
        text = self.construct_scalar(node)
        if not CORE_INT.match(text):
            raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not a YAML 1.2 integer",
                                                    node.start_mark)
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        """A float as YAML 1.2 writes it: ``0.5``, ``.5``, ``1e6``, ``.inf``, ``-.inf``, ``.nan``."""
        text = self.construct_scalar(node)
        if not CORE_FLOAT.match(text):
            raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not a YAML 1.2 float", node.start_mark)
        return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))


ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:bool", CORE_BOOL, list("tTfF"))
ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:int", CORE_INT, NUMBER_START)
ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:float", CORE_FLOAT, NUMBER_START)
ConfigLoader.add_constructor("tag:yaml.org,2002:int", ConfigLoader.construct_core_int)
ConfigLoader.add_constructor("tag:yaml.org,2002:float", ConfigLoader.construct_core_float)


class ConfigDumper(yaml.SafeDumper):
    """The safe dumper, quoting every string that YAML 1.1 or 1.2 would read as something else (``0o17``,
    ``1e6``, ``010``, ``yes``), so that what it writes reads back the same with either."""


for _first, _resolvers in ConfigLoader.yaml_implicit_resolvers.items():
    for _tag, _regexp in _resolvers:
        ConfigDumper.add_implicit_resolver(_tag, _regexp, [_first])


def load_yaml(text: str) -> Any:
    """YAML text as :class:`ConfigLoader` reads it: the one place giftsim reads YAML. :func:`parse_yaml`
    adds the limits and errors for what a user wrote.

    Raises:
        yaml.YAMLError: Not YAML, or a key given twice.
    """
    return yaml.load(text, Loader=ConfigLoader)  # noqa: S506 - ConfigLoader is a SafeLoader


def dump_yaml(data: Any, **options: Any) -> str:
    """``data`` as YAML that :class:`ConfigLoader` reads back equal (:class:`ConfigDumper`; options as
    :func:`yaml.dump`'s)."""
    return yaml.dump(data, Dumper=ConfigDumper, **options)


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
    bases: list[str] = []
    raw = read_with_extends(path, bases=bases)
    is_named_by_file = "name" not in raw
    raw.setdefault("name", path.stem)
    source = str(path) + (f" (extending {' and '.join(bases)})" if bases else "")
    try:
        return config_from_dict(apply_overrides(raw, overrides, source=source), source=source)
    except ConfigError as exc:
        if not is_named_by_file:
            raise
        hint = "; the name is the file's name, so rename the file or set name: in it"
        raise ConfigError(exc.source, [problem + hint if problem.startswith("name:") else problem
                                       for problem in exc.problems]) from None


def resolve_config(config: Config | str | Path, settings: Mapping[str, Any] | None = None) -> Config:
    """A config from a config object, a YAML file or a preset's name, with dotted settings applied.

    Args:
        config: A validated config; a path to a YAML file (``configs/default.yaml``); or the name of a
            preset in the repository's ``configs/`` folder (``"tiktok"``).
        settings: Values by dotted path (``{"platform.creator_share": 0.5}``), set as given (not
            parsed as YAML); list items are addressed by index (``"gifts.0.coins"``).

    Raises:
        ConfigError: No such file or preset, a setting that names no field, or an invalid result.
        TypeError: ``config`` is none of the three.
    """
    if not isinstance(config, Config | str | Path):
        raise TypeError(f"config must be a Config, a YAML file's path or a preset's name, got {config!r:.80}; "
                        "mesa.batch_run iterates over a Config given alone, so put it in a list: "
                        "parameters={'config': [config]}")
    if not isinstance(config, Config):
        path = Path(config)
        if path.suffix == "" and path.name == str(config):  # a bare name: a preset
            path = PRESETS_DIR / f"{config}.yaml"
            if not path.is_file():
                names = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.yaml")))
                raise ConfigError(str(config), [f"no preset named {config!r}; presets are: {names}"])
        config = load_config(path)
    if not settings:
        return config
    raw = config.model_dump(mode="json")
    source = f"{config.name} with {', '.join(settings)}"
    for key, value in settings.items():
        if not key or any(not part for part in key.split(".")):
            raise ConfigError(source, [f"{key!r}: expected a dotted path such as platform.creator_share"])
        _set_path(raw, key.split("."), value, source)
    return config_from_dict(raw, source=source)


def read_with_extends(path: Path, seen: tuple[Path, ...] = (), bases: list[str] | None = None) -> dict[str, Any]:
    """Read a config; if it says ``extends: other.yaml`` (relative to it), lay it over that one.

    Mappings merge key by key, at any depth; any other value (a list, a number) replaces the base's.
    ``bases``, when given, receives the names of the files extended, as written, nearest first.
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
    if bases is not None:
        bases.append(base_name)
    base = read_with_extends(base_path, (*seen, path.resolve()), bases)
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
        if path.exists() and not path.is_dir() and not path.is_file():
            raise ConfigError(source, ["is not a regular file (a device or a pipe); expected a YAML file"])
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(source, ["no such file"]) from None
    except IsADirectoryError:
        raise ConfigError(source, ["is a directory; expected a YAML file"]) from None
    except OSError as exc:
        raise ConfigError(source, [f"cannot be read: {exc.strerror}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(source, [f"is larger than {MAX_FILE_BYTES:,} bytes; a config is a few KB"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(source, [f"is not UTF-8 text (bad byte at offset {exc.start})"]) from None
    raw = parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise ConfigError(source, [f"must hold a mapping of sections, got {type(raw).__name__}"])
    return raw


def parse_yaml(text: str, source: str, what: str = "") -> Any:
    """Read YAML text with :class:`ConfigLoader`, within :data:`MAX_NODES` and :data:`MAX_DEPTH`.

    Raises:
        ConfigError: Not YAML (with line and column), or too large or deep once aliases are expanded.
    """
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, [f"{what}{where}YAML syntax error: {problem}"]) from None
    except RecursionError:
        raise ConfigError(source, [f"{what}nested too deeply; at most {MAX_DEPTH} levels"]) from None
    problem = _shape_problem(data)
    if problem:
        raise ConfigError(source, [f"{what}{problem}"])
    return data


def _shape_problem(data: Any) -> str | None:
    """Why ``data`` is too large, too deep or recursive once its aliases are expanded; None if it is not."""
    count = 0
    stack = [(data, 0, ())]  # value, depth, ids of the containers holding it
    while stack:
        value, depth, holders = stack.pop()
        count += 1
        if count > MAX_NODES:
            return f"holds more than {MAX_NODES:,} values once its aliases (*name) are expanded"
        if depth > MAX_DEPTH:
            return f"nested too deeply; at most {MAX_DEPTH} levels"
        children = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else ()
        if children:
            if id(value) in holders:
                return "an alias (*name) refers to a mapping or list that holds it"
            stack.extend((child, depth + 1, (*holders, id(value))) for child in children)
    return None


def config_from_dict(raw: Mapping[str, Any], source: str = "<config>") -> Config:
    """Validate a plain mapping into a :class:`Config`, translating pydantic's errors."""
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, [describe_error(e) for e in exc.errors()]) from None
    problems = _quoted_numbers(raw, config.model_dump())
    if problems:
        raise ConfigError(source, problems)
    return config


def _quoted_numbers(given: Any, validated: Any, path: str = "") -> list[str]:
    """Fields given as quoted text (``"12"``) that validation turned into numbers or booleans."""
    if isinstance(given, str):
        if not isinstance(validated, int | float):  # bool is an int
            return []
        if is_plain_number(given):  # "12": quoted, or the quotes would make it a number
            return [f"{path}: expected a number or true/false, got the text {given!r} (remove the quotes)"]
        return [f"{path}: expected a number or true/false, got the text {given!r}, which YAML 1.2 does not read as "
                "one (numbers are written 10, 0.5, 1e6, 0x1F or 0o17, without underscores or colons; booleans "
                "true and false)"]
    if isinstance(given, Mapping) and isinstance(validated, Mapping):
        return [problem for key, value in given.items() if key in validated
                for problem in _quoted_numbers(value, validated[key], f"{path}.{key}".lstrip("."))]
    if isinstance(given, list | tuple) and isinstance(validated, list | tuple):
        return [problem for index, (value, checked) in enumerate(zip(given, validated, strict=False))
                for problem in _quoted_numbers(value, checked, f"{path}.{index}".lstrip("."))]
    return []


def is_plain_number(text: str) -> bool:
    """Whether ``text``, written without quotes, is read as a number or a boolean (YAML 1.2's core schema)."""
    return any(pattern.match(text) for pattern in (CORE_BOOL, CORE_INT, CORE_FLOAT))


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
    return key, parse_yaml(text, source, what=f"--set {key}: ")


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
    return dump_yaml(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def config_schema() -> dict[str, Any]:
    """The JSON Schema of a config file."""
    return Config.model_json_schema()
