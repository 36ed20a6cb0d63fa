r"""Course, year and lecturer of an archive file, from its path.

By default the file's folder is its course and a `YYYY` or `YYYY-YY` folder anywhere in the
path is its year (`2024-25/Renal/Lecture 07 - CKD.pptx` -> Renal, 2024). A TOML file of rules
says otherwise:

    [[rules]]
    match = 're:^(\d{4})-\d{2}/Block (\w+)/'   # or a glob: "*/Renal/*"
    course = "Block {2}"                          # {1}, {2}: the regex's groups; {0}: the match
    year = "{1}"
    lecturer = "Dr Diaz"

The first rule that matches a file's display path wins; a field it leaves out keeps its
default, and an empty one means none. Write regexes in single quotes (TOML literal strings),
so backslashes stay as written.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Optional

_YEAR_FOLDER = re.compile(r"(\d{4})(?:[-_–](?:\d{2}|\d{4}))?")
_FIELDS = ("course", "year", "lecturer")
_GROUP = re.compile(r"\{(\d+)\}")


class CourseConfigError(ValueError):
    """A rules file, or what a rule made of a path, is not usable (the message says where)."""


@dataclass(frozen=True)
class CourseOf:
    """Where a file belongs: course name, year (the first calendar year of `2024-25`), lecturer."""

    name: Optional[str]
    year: Optional[int]
    lecturer: Optional[str] = None


@dataclass(frozen=True)
class CourseRule:
    """`match` is a glob on the display path, or `re:` and a regex searched in it; each field
    is a template (None: the default)."""

    match: str
    course: Optional[str] = None
    year: Optional[str] = None
    lecturer: Optional[str] = None
    number: int = 0  # its place in the file, for messages

    def groups(self, display: str) -> Optional[list[str]]:
        """The match and its groups, or None when the rule does not apply to `display`."""
        if self.match.startswith("re:"):
            m = re.search(self.match[3:], display)
            return [m.group(0), *(g or "" for g in m.groups())] if m else None
        return [display] if fnmatch.fnmatchcase(display, self.match) else None

    def fill(self, template: str, groups: list[str]) -> str:
        def group(m: re.Match) -> str:
            n = int(m.group(1))
            if n >= len(groups):
                raise CourseConfigError(f"rule {self.number} ({self.match!r}): no group {{{n}}} in its match")
            return groups[n]

        return _GROUP.sub(group, template).strip()


def default_course(display: str) -> CourseOf:
    """The folder holding the file is its course (unless that folder is a year), and the first
    `YYYY` / `YYYY-YY` folder is its year."""
    folders = PurePosixPath(display).parts[:-1]
    year = next((int(m.group(1)) for f in folders if (m := _YEAR_FOLDER.fullmatch(f))), None)
    name = folders[-1] if folders and not _YEAR_FOLDER.fullmatch(folders[-1]) else None
    return CourseOf(name, year)


def parse_year(text: str, where: str) -> Optional[int]:
    """`2024` or `2024-25` as 2024; empty as None."""
    if not text:
        return None
    m = _YEAR_FOLDER.fullmatch(text)
    if not m:
        raise CourseConfigError(f"{where}: year {text!r} is not YYYY or YYYY-YY")
    return int(m.group(1))


class CourseRules:
    """Resolves each display path to a `CourseOf`: the first matching rule, over the defaults."""

    def __init__(self, rules: list[CourseRule] | None = None, *, course: Optional[str] = None) -> None:
        self.rules = list(rules or [])
        self.course = course  # one course for every file (`scan --course NAME`)

    @classmethod
    def load(cls, path: str | Path) -> "CourseRules":
        """Rules from a TOML file (see the module's docstring)."""
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib

        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CourseConfigError(f"{path}: {exc}") from None
        unknown = set(data) - {"rules"}
        if unknown or not isinstance(data.get("rules", []), list):
            raise CourseConfigError(f"{path}: expected only a list of [[rules]], found {', '.join(sorted(data))}")
        return cls([_rule(path, n, raw) for n, raw in enumerate(data.get("rules", []), 1)])

    def resolve(self, display: str) -> CourseOf:
        if self.course is not None:
            return CourseOf(self.course, None)
        base = default_course(display)
        for rule in self.rules:
            groups = rule.groups(display)
            if groups is None:
                continue
            where = f"rule {rule.number} ({rule.match!r}) on {display!r}"
            course = base.name if rule.course is None else (rule.fill(rule.course, groups) or None)
            year = base.year if rule.year is None else parse_year(rule.fill(rule.year, groups), where)
            lecturer = None if rule.lecturer is None else (rule.fill(rule.lecturer, groups) or None)
            return CourseOf(course, year, lecturer)
        return base


def _rule(path: str | Path, n: int, raw: object) -> CourseRule:
    where = f"{path}: rule {n}"
    if not isinstance(raw, dict) or not isinstance(raw.get("match"), str) or not raw["match"]:
        raise CourseConfigError(f"{where}: needs match = \"glob\" or \"re:regex\"")
    unknown = set(raw) - {"match", *_FIELDS}
    if unknown:
        raise CourseConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} "
                                f"(expected match, {', '.join(_FIELDS)})")
    values = {k: raw.get(k) for k in _FIELDS}
    for key, value in values.items():
        if isinstance(value, int) and not isinstance(value, bool):
            values[key] = str(value)
        elif value is not None and not isinstance(value, str):
            raise CourseConfigError(f"{where}: {key} must be a string")
    if raw["match"].startswith("re:"):
        try:
            re.compile(raw["match"][3:])
        except re.error as exc:
            raise CourseConfigError(f"{where}: bad regex ({exc})") from None
    return CourseRule(raw["match"], **values, number=n)
