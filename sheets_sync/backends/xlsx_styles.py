"""The workbook's ``xl/styles.xml``, append-only.

Generated cells need at most a date format, a date-time format, a bold font for the header
row and wrapped text (top-aligned) for text of several lines. :class:`Styles` finds the cell
formats (``cellXfs`` entries) the workbook already has for them, and appends a numFmt / font
/ xf only the first time one is missing; later runs find and reuse them, and nothing that was
there is ever changed or renumbered. A workbook without a styles part starts from a minimal
one.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from sheets_sync.backends.xlsx_book import MAIN_NS, Book, insert_child, xml_prefix
from sheets_sync.backends.xlsx_package import Package
from sheets_sync.errors import SourceError

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
    """styles.xml, append-only: finds or appends the number formats, bold font and xfs we use.

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
        xfs = _children(root, ns + "cellXfs")
        self.xfs = [_xf_key(x) for x in xfs]
        self.cache: dict[tuple[str | None, bool, bool], int] = {}

    def edited(self) -> str | None:
        """The new styles.xml text, or None when nothing was appended."""
        return self.text if self.changed else None

    def xf(self, code: str | None, bold: bool, wrap: bool = False) -> int:
        """Index of a cellXfs entry with this number format (None: General), boldness and
        wrapping (text wrapped in the column's width, at the top of a taller row).

        The first call for a combination the workbook lacks appends it (and the numFmt or
        font it needs), so the order of first calls decides the numbering of new entries.
        """
        key = (code, bold, wrap)
        if key not in self.cache:
            fmt = self._format(code) if code else 0
            font = self._bold_font() if bold else 0
            want = (str(fmt), str(font), "0", "0", "0", bool(fmt), bool(font),
                    _WRAPPED if wrap else ())
            if want not in self.xfs:
                apply = ' applyNumberFormat="1"' if fmt else ""
                apply += ' applyFont="1"' if font else ""
                apply += ' applyAlignment="1"' if wrap else ""
                xml = f'numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"{apply}'
                inner = f'<{self.p}alignment vertical="top" wrapText="1"/>' if wrap else ""
                element = (f"<{self.p}xf {xml}>{inner}</{self.p}xf>" if inner
                           else f"<{self.p}xf {xml}/>")
                self.xfs.append(want)
                self._append("cellXfs", element, len(self.xfs))
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

    def _bold_font(self) -> int:
        """The index of the default font made bold, appending that font when there is none."""
        if self.font0 is None:
            raise SourceError(f"cannot write {self.where}: its styles part has no fonts")
        want = _font_key(self.font0) | {("b", ())}
        if want not in self.fonts:
            children = "".join(
                f"<{self.p}{_local(c.tag)}"
                + "".join(f" {_local(k)}={quoteattr(v)}" for k, v in c.attrib.items()) + "/>"
                for c in self.font0 if _local(c.tag) != "b")
            self.fonts.append(want)
            font = f"<{self.p}font><{self.p}b/>{children}</{self.p}font>"
            self._append("fonts", font, len(self.fonts))
        return self.fonts.index(want)


def _children(root: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    found = root.find(tag)
    return [] if found is None else list(found)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _font_key(font: ElementTree.Element) -> frozenset[tuple[str, tuple[tuple[str, str], ...]]]:
    return frozenset((_local(c.tag), tuple(sorted(c.attrib.items()))) for c in font)


# The children of a wrapping xf, as _xf_key sees them.
_WRAPPED = (("alignment", (("vertical", "top"), ("wrapText", "1"))),)


def _xf_key(xf: ElementTree.Element) -> tuple[object, ...]:
    """What an xf means for us: ids, whether format and font apply, and its children (none,
    or the alignment of wrapped text)."""
    ids = (xf.get(name, "0") for name in ("numFmtId", "fontId", "fillId", "borderId", "xfId"))
    applies = (xf.get(name, "0").lower() in ("1", "true") for name in ("applyNumberFormat",
                                                                         "applyFont"))
    children = tuple((_local(c.tag), tuple(sorted(c.attrib.items()))) for c in xf)
    return (*ids, *applies, children)
