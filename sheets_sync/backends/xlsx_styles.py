"""The workbook's ``xl/styles.xml``, append-only.

Generated cells need a date format, a date-time format and the styles of the tabs' looks
(:class:`sheets_sync.looks.Style`: bold, size, colour, fill, wrapped text). :class:`Styles` finds
the cell formats (``cellXfs`` entries) the workbook already has for them, and appends a numFmt
/ font / fill / xf only the first time one is missing; later runs find
and reuse them, and nothing that was there is ever changed or renumbered. A workbook without
a styles part starts from a minimal one.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from sheets_sync.backends.xlsx_book import MAIN_NS, Book, insert_child, xml_prefix
from sheets_sync.backends.xlsx_package import Package
from sheets_sync.errors import SourceError
from sheets_sync.looks import Style

__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "Styles"]

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

_MIN_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class Styles:
    """styles.xml, append-only: finds or appends the number formats, fonts, fills and xfs we use.

    :attr:`changed` says whether anything was appended; :meth:`edited` gives the new text
    for :meth:`Book.edits`.
    """

    def __init__(self, pkg: Package, book: Book) -> None:
        self.where = pkg.path.name
        if book.styles_part is None:
            self.text, root = _MIN_STYLES, ElementTree.fromstring(_MIN_STYLES)
        else:
            self.text, root = pkg.xml(book.styles_part)
        self.p = xml_prefix(self.text, "styleSheet")
        self.changed = False
        ns = f"{{{MAIN_NS}}}"
        formats = _children(root, ns + "numFmts")
        self.formats = {e.get("formatCode", ""): int(e.get("numFmtId", "0")) for e in formats}
        self.format_ids = [163, *self.formats.values()]
        self.format_count = len(formats)
        fonts = _children(root, ns + "fonts")
        self.font0 = fonts[0] if fonts else None
        self.fonts = [_font_key(font) for font in fonts]
        self.fills = [_fill_key(fill) for fill in _children(root, ns + "fills")]
        self.dxfs = [_dxf_key(dxf) for dxf in _children(root, ns + "dxfs")]
        xfs = _children(root, ns + "cellXfs")
        self.xfs = [_xf_key(x) for x in xfs]
        self.cache: dict[tuple[str | None, Style | None], int] = {}

    def edited(self) -> str | None:
        """The new styles.xml text, or None when nothing was appended."""
        return self.text if self.changed else None

    def xf(self, code: str | None, bold: bool, wrap: bool = False) -> int:
        """Index of a cellXfs entry with this number format (None: General), boldness and
        wrapping (text wrapped in the column's width, at the top of a taller row)."""
        return self.xf_style(code, Style(bold=bold, wrap=wrap) if bold or wrap else None)

    def xf_style(self, code: str | None, style: Style | None) -> int:
        """Index of a cellXfs entry with this number format (None: General) and style.

        The first call for a combination the workbook lacks appends it (and the numFmt,
        font or fill it needs), so the order of first calls decides the numbering of new
        entries.
        """
        key = (code, style)
        if key not in self.cache:
            style = style or _PLAIN
            fmt = self._format(code) if code else 0
            font = self._font(style)
            fill = self._fill(style.fill) if style.fill else 0
            align: tuple[tuple[str, str], ...] = (
                (("vertical", "top"), ("wrapText", "1")) if style.wrap
                else (("vertical", "top"),) if style.top else ())
            want = (str(fmt), str(font), str(fill), "0", "0", bool(fmt), bool(font),
                    bool(fill), bool(align), align, 0)
            if want not in self.xfs:
                apply = ' applyNumberFormat="1"' if fmt else ""
                apply += ' applyFont="1"' if font else ""
                apply += ' applyFill="1"' if fill else ""
                apply += ' applyAlignment="1"' if align else ""
                xml = (f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" '
                       f'xfId="0"{apply}')
                inner = "".join(f' {k}="{v}"' for k, v in align)
                inner = f"<{self.p}alignment{inner}/>" if align else ""
                fragment = f"<{self.p}xf {xml}>{inner}</{self.p}xf>" if inner else (
                    f"<{self.p}xf {xml}/>")
                self.xfs.append(want)
                self._append("cellXfs", fragment, len(self.xfs))
            self.cache[key] = self.xfs.index(want)
        return self.cache[key]

    def _append(self, tag: str, fragment: str, count: int) -> None:
        new = insert_child(self.text, self.p, tag, fragment, count)
        if new is None:
            raise SourceError(f"cannot write {self.where}: its styles part has no {tag}")
        self.text, self.changed = new, True

    def _format(self, code: str) -> int:
        """The numFmtId of this format code, appending a numFmt when there is none."""
        if code not in self.formats:
            fmt = self.formats[code] = max(self.format_ids) + 1
            self.format_ids.append(fmt)
            self.format_count += 1
            fragment = f"<{self.p}numFmt numFmtId=\"{fmt}\" formatCode={quoteattr(code)}/>"
            new = insert_child(self.text, self.p, "numFmts", fragment, self.format_count)
            if new is None:
                root = re.search(rf"<{self.p}styleSheet\b[^>]*>", self.text)
                at = root.end() if root else 0
                block = f'<{self.p}numFmts count="1">{fragment}</{self.p}numFmts>'
                new = self.text[:at] + block + self.text[at:]
            self.text, self.changed = new, True
        return self.formats[code]

    def _font(self, style: Style) -> int:
        """The index of the default font with this style's weight, size, colour and
        underline, appending that font when there is none (0: the default font itself)."""
        if not (style.bold or style.size or style.color or style.underline):
            return 0
        if self.font0 is None:
            raise SourceError(f"cannot write {self.where}: its styles part has no fonts")
        ours = {"b", "sz", "color", "u"}
        kept = [c for c in self.font0 if _local(c.tag) not in ours
                or (_local(c.tag) == "sz" and not style.size)
                or (_local(c.tag) == "color" and not style.color)]
        added: list[tuple[str, dict[str, str]]] = []
        if style.bold:
            added.append(("b", {}))
        if style.underline:
            added.append(("u", {}))
        if style.size:
            added.append(("sz", {"val": f"{style.size:g}"}))
        if style.color:
            added.append(("color", {"rgb": "FF" + style.color.upper()}))
        want = frozenset({(_local(c.tag), tuple(sorted(c.attrib.items()))) for c in kept}
                         | {(tag, tuple(sorted(attrs.items()))) for tag, attrs in added})
        if want not in self.fonts:
            # The schema's order: b, i, strike, …, color, sz, u, …, name, family, scheme.
            order = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "color",
                     "sz", "u", "vertAlign", "name", "family", "charset", "scheme")
            children = sorted(
                [(_local(c.tag), dict(c.attrib)) for c in kept] + added,
                key=lambda item: order.index(item[0]) if item[0] in order else len(order))
            xml = "".join(f"<{self.p}{tag}" + "".join(f" {_local(k)}={quoteattr(v)}"
                                                      for k, v in attrs.items()) + "/>"
                          for tag, attrs in children)
            self.fonts.append(want)
            self._append("fonts", f"<{self.p}font>{xml}</{self.p}font>", len(self.fonts))
        return self.fonts.index(want)

    def _fill(self, color: str) -> int:
        """The index of a solid fill of this colour, appending it when there is none."""
        want = ("solid", "FF" + color.upper())
        if want not in self.fills:
            self.fills.append(want)
            fragment = (f'<{self.p}fill><{self.p}patternFill patternType="solid"><{self.p}fgColor '
                        f'rgb="FF{color.upper()}"/><{self.p}bgColor indexed="64"/>'
                        f"</{self.p}patternFill></{self.p}fill>")
            self._append("fills", fragment, len(self.fills))
        return self.fills.index(want)


    def dxf(self, color: str) -> int:
        """The index of a differential format (what a conditional format applies) that
        fills a cell with this colour, appending it when there is none."""
        want = "FF" + color.upper()
        if want not in self.dxfs:
            self.dxfs.append(want)
            fragment = (f"<{self.p}dxf><{self.p}fill><{self.p}patternFill><{self.p}bgColor "
                        f'rgb="{want}"/></{self.p}patternFill></{self.p}fill></{self.p}dxf>')
            new = insert_child(self.text, self.p, "dxfs", fragment, len(self.dxfs))
            if new is None:  # no <dxfs> yet: it follows cellStyles (or cellXfs)
                block = f'<{self.p}dxfs count="1">{fragment}</{self.p}dxfs>'
                after = re.search(rf"</{self.p}cellStyles>|<{self.p}cellStyles\b[^>]*/>"
                                  rf"|</{self.p}cellXfs>", self.text)
                if after is None:
                    raise SourceError(f"cannot write {self.where}: its styles part has no "
                                      "cellXfs")
                new = self.text[:after.end()] + block + self.text[after.end():]
            self.text, self.changed = new, True
        return self.dxfs.index(want)


_PLAIN = Style()


def _children(root: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    found = root.find(tag)
    return [] if found is None else list(found)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _font_key(font: ElementTree.Element) -> frozenset[tuple[str, tuple[tuple[str, str], ...]]]:
    return frozenset((_local(c.tag), tuple(sorted(c.attrib.items()))) for c in font)


def _dxf_key(dxf: ElementTree.Element) -> str:
    """What a differential format means for us: the colour of its fill alone ('' when it
    sets anything else)."""
    if len(dxf) != 1 or _local(dxf[0].tag) != "fill" or len(dxf[0]) != 1:
        return ""
    colors = [c for c in dxf[0][0] if _local(c.tag) == "bgColor"]
    return colors[0].get("rgb", "").upper() if len(colors) == len(dxf[0][0]) == 1 else ""


def _fill_key(fill: ElementTree.Element) -> tuple[str, str]:
    """What a fill means for us: its pattern and foreground colour."""
    pattern = next(iter(fill), None)
    if pattern is None:
        return ("", "")
    color = next((c for c in pattern if _local(c.tag) == "fgColor"), None)
    return (pattern.get("patternType", ""), "" if color is None else color.get("rgb", "").upper())


def _xf_key(xf: ElementTree.Element) -> tuple[object, ...]:
    """What an xf means for us: ids, whether format, font, fill and alignment apply, the
    alignment, and no other children."""
    ids = (xf.get(name, "0") for name in ("numFmtId", "fontId", "fillId", "borderId", "xfId"))
    applies = (xf.get(name, "0").lower() in ("1", "true") for name in (
        "applyNumberFormat", "applyFont", "applyFill", "applyAlignment"))
    align = next((c for c in xf if _local(c.tag) == "alignment"), None)
    aligned = () if align is None else tuple(sorted(align.attrib.items()))
    return (*ids, *applies, aligned, len(xf) - (align is not None))
