"""IMS Common Cartridge (.imscc): which files of the package hold the course, and where each sits
in the course's module tree, read from its imsmanifest.xml.

The manifest's organization is a tree of items; an item with a title is a module (or a
sub-heading), an item with an `identifierref` points at a resource. A `webcontent` resource is a
page (HTML) or a file (PDF, DOCX, ...). Every such resource is listed once: under the module path
of the first item that points at it, or under NOT_IN_A_MODULE when no item does. Other resources
(quizzes, discussions, links to tools) hold no file we read and are left out.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bias_review.inputs.safexml import local, parse_xml

MANIFEST = "imsmanifest.xml"
NOT_IN_A_MODULE = "(not in a module)"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class CartridgeFile:
    """One file of the course: its `href` in the package (as the manifest writes it) and the
    titles of the modules above it."""

    href: str
    modules: tuple[str, ...]


def cartridge_files(manifest: bytes) -> list[CartridgeFile]:
    """The course's files in module order, then those in no module; UnsafeXml for a manifest
    with a DTD or entities, or that is not XML."""
    root = parse_xml(manifest)
    resources = {r.get("identifier"): r for r in _all(root, "resources", "resource")}
    out: list[CartridgeFile] = []
    placed: set[str] = set()
    for ref, modules in _items(_organization(root)):
        resource = resources.get(ref)
        if resource is not None and ref not in placed:
            placed.add(ref)
            out.extend(CartridgeFile(href, modules) for href in _content(root, resource))
    for ref, resource in resources.items():
        if ref not in placed:
            out.extend(CartridgeFile(href, (NOT_IN_A_MODULE,)) for href in _content(root, resource))
    return out


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if local(c.tag) == name]


def _all(root: ET.Element, group: str, name: str) -> Iterator[ET.Element]:
    for holder in _children(root, group):
        yield from _children(holder, name)


def _organization(root: ET.Element) -> ET.Element | None:
    """The default organization (the `default` attribute of <organizations>), else the first."""
    for holder in _children(root, "organizations"):
        organizations = _children(holder, "organization")
        wanted = holder.get("default")
        chosen = next((o for o in organizations if wanted and o.get("identifier") == wanted), None)
        if chosen is not None or organizations:
            return chosen if chosen is not None else organizations[0]
    return None


def _items(organization: ET.Element | None) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(resource id, module path) of every item of the organization, depth first in document
    order (without recursion: a manifest may nest items as deep as it likes)."""
    if organization is None:
        return
    pending: list[Iterator[ET.Element]] = [iter(_children(organization, "item"))]
    modules: list[str | None] = []  # the titles of the open items (None: an item with no title)
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
            if modules:
                modules.pop()
            continue
        path = tuple(t for t in modules if t)
        ref = item.get("identifierref")
        if ref:
            yield ref, path
        title = " ".join("".join("".join(t.itertext()) for t in _children(item, "title")).split())
        modules.append(title or None)
        pending.append(iter(_children(item, "item")))


def _content(root: ET.Element, resource: ET.Element) -> list[str]:
    """The file a webcontent resource holds (its href, else its first <file>), relative to the
    package; nothing for other resource types or links to the web."""
    if (resource.get("type") or "").strip().lower() != "webcontent":
        return []
    href = resource.get("href") or next((f.get("href") for f in _children(resource, "file") if f.get("href")), None)
    if not href or urlsplit(href).scheme:
        return []
    base = "".join(h.get(_XML_BASE) or "" for h in (*_children(root, "resources"), resource))
    return [posixpath.join(base, href) if base else href]


def member_name(href: str, names: set[str]) -> str | None:
    """The package member an href names: as written, or with its %-escapes decoded."""
    for candidate in (href, unquote(href)):
        if candidate in names:
            return candidate
    return None
