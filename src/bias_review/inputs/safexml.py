"""XML from files we did not write (a cartridge's imsmanifest.xml), parsed with expat and no DTD.

A document with a DOCTYPE, an entity declaration or an external entity reference is refused
before any entity is expanded: no external entity is ever fetched (XXE) and no entity can
expand into another (billion laughs). IMS manifests never need a DTD.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat


class UnsafeXml(ValueError):
    """The XML declares a DTD or entities, or is not well-formed."""


def _refuse(what: str):
    def handler(*_args) -> None:
        raise UnsafeXml(f"{what} are not allowed (no DTD, no entities)")

    return handler


def _qname(name: str) -> str:
    """expat's 'uri}local' as ElementTree's '{uri}local'."""
    return "{" + name if "}" in name else name


def parse_xml(data: bytes) -> ET.Element:
    """The root element of `data`; UnsafeXml for a DOCTYPE, an entity or malformed XML."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("DOCTYPE declarations")
    parser.EntityDeclHandler = _refuse("entity declarations")
    parser.UnparsedEntityDeclHandler = _refuse("entity declarations")
    parser.ExternalEntityRefHandler = _refuse("external entities")
    parser.SkippedEntityHandler = _refuse("entity references")
    parser.buffer_text = True
    parser.StartElementHandler = lambda name, attrs: builder.start(
        _qname(name), {_qname(k): v for k, v in attrs.items()})
    parser.EndElementHandler = lambda name: builder.end(_qname(name))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        return builder.close()
    except expat.ExpatError as exc:
        raise UnsafeXml(f"not well-formed XML ({expat.ErrorString(exc.code)}, line {exc.lineno})") from None
    except AssertionError:  # TreeBuilder: no root element
        raise UnsafeXml("not well-formed XML (no element)") from None


def local(tag: str) -> str:
    """A tag or attribute name without its namespace."""
    return tag.rsplit("}", 1)[-1]
