"""The parts that list a workbook's sheets, edited as text; and helpers to edit XML as text.

:class:`Book` is the workbook part, its relationships and ``[Content_Types].xml``. They are
edited with minimal text insertions when a tab or the styles part is added, so every byte the
tool does not need to change stays as the file had it. ``docProps/app.xml`` is left alone: it
is a cache of sheet titles that Excel rewrites on save and no reader relies on.

:func:`xml_prefix`, :func:`xml_attrs` and :func:`insert_child` edit XML as text; the styles
and worksheet modules use them too.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from sheets_sync.backends.owned import MARK_NAME, MARK_TEXT
from sheets_sync.backends.xlsx_package import Package
from sheets_sync.cells import SERIAL_EPOCH
from sheets_sync.errors import SourceError

__all__ = ["MAIN_NS", "REL_NS", "Book", "insert_child", "xml_attrs", "xml_prefix"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = _REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WS_TYPE = _REL + "/worksheet"
_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES_TYPE = _REL + "/styles"
_STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


# --- editing XML as text --------------------------------------------------------------------


def xml_attrs(text: str) -> dict[str, str]:
    """The attributes of one start tag's attribute text (``' r="A1" s="2"'``) by name."""
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(text)}


def xml_prefix(text: str, root: str) -> str:
    """The namespace prefix (``'x:'``) the root element is written with, or ''."""
    match = re.search(rf"<(?:([\w.-]+):)?{root}[\s>/]", text)
    return f"{match.group(1)}:" if match and match.group(1) else ""


def insert_child(text: str, p: str, tag: str, fragment: str,
                 count: int | None = None) -> str | None:
    """Insert fragment as the last child of the first <tag>, updating its count attribute.

    p is the namespace prefix of tag. None when there is no such element (or it never closes).
    """
    match = re.search(rf"<{p}{tag}\b([^>]*?)(/?)>", text)
    if match is None:
        return None
    attrs = match.group(1)
    if count is not None:
        attrs = re.sub(r"""(\scount\s*=\s*)("[^"]*"|'[^']*')""", f'\\1"{count}"', attrs)
    if match.group(2):
        tail = text[match.end() :]
        return f"{text[: match.start()]}<{p}{tag}{attrs}>{fragment}</{p}{tag}>{tail}"
    close = text.find(f"</{p}{tag}>", match.end())
    if close < 0:
        return None
    inner = text[match.end() : close]
    return f"{text[: match.start()]}<{p}{tag}{attrs}>{inner}{fragment}{text[close:]}"


def _remove(text: str, tag: str, attr: str, value: str) -> str:
    """The text without the first empty <tag/> whose attr equals value (ignoring case)."""
    for match in re.finditer(rf"<(?:[\w.-]+:)?{tag}\b([^>]*?)/>", text):
        if xml_attrs(match.group(1)).get(attr, "").lower() == value.lower():
            return text[: match.start()] + text[match.end() :]
    return text


# --- workbook, relationships and content types -----------------------------------------------


class Book:
    """The workbook part, its relationships and the content types, edited as text.

    Reading gives the sheets (name -> worksheet part), the names of other sheets (charts,
    dialogs), the tabs marked as the tool's own (:attr:`marked`, see
    :mod:`sheets_sync.backends.owned`), the date system's epoch and the styles part. Edits are
    collected in memory;
    :meth:`edits` returns the changed parts for :meth:`Package.commit`, and :attr:`removed`
    the parts to drop.
    """

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.removed: set[str] = set()
        self.new_parts: set[str] = set()
        self.part = self._workbook_part()
        self.dir = posixpath.dirname(self.part)
        self.text, root = pkg.xml(self.part)
        if root.tag != f"{{{MAIN_NS}}}workbook":
            raise SourceError(f"cannot write {pkg.path.name}: Strict Open XML workbooks are not "
                              "supported; save it as a regular Excel Workbook (.xlsx)")
        props = root.find(f"{{{MAIN_NS}}}workbookPr")
        date1904 = props is not None and props.get("date1904", "").lower() in ("1", "true")
        self.epoch = datetime.datetime(1904, 1, 1) if date1904 else SERIAL_EPOCH
        self.rels_part = posixpath.join(self.dir, "_rels", posixpath.basename(self.part) + ".rels")
        self.rels_text, rels = pkg.xml(self.rels_part)
        self.rels = {r.get("Id", ""): (r.get("Type", ""), self._resolve(r.get("Target", "")))
                     for r in rels}  # external targets resolve to nonsense, never used
        self.ct_text, _ = pkg.xml("[Content_Types].xml")
        self.originals = (self.text, self.rels_text, self.ct_text)
        self._read_sheets(root)
        styles = [target for kind, target in self.rels.values() if kind == _STYLES_TYPE]
        self.styles_part = pkg.find(styles[0]) if styles else None

    def _workbook_part(self) -> str:
        """The workbook part's name, from the package relationships."""
        _, root_rels = self.pkg.xml("_rels/.rels")
        office = [r.get("Target", "") for r in root_rels
                  if r.get("Type", "").endswith("/officeDocument")]
        part = self.pkg.find(posixpath.normpath(office[0].lstrip("/"))) if office else None
        if part is None:
            raise SourceError(f"cannot read workbook {self.pkg.path}: it has no workbook part")
        return part

    def _read_sheets(self, root: ElementTree.Element) -> None:
        self.sheets: dict[str, str] = {}
        self.others: set[str] = set()
        self.sheet_ids = [0]
        self.order: list[str] = []  # every tab in workbook order: localSheetId is an index
        for sheet in root.iter(f"{{{MAIN_NS}}}sheet"):
            kind, target = self.rels.get(sheet.get(f"{{{_REL}}}id", ""), ("", ""))
            name = sheet.get("name", "")
            self.order.append(name)
            if kind == _WS_TYPE:
                self.sheets[name] = self.pkg.find(target) or target
            else:
                self.others.add(name)
            sheet_id = sheet.get("sheetId", "")
            self.sheet_ids.append(int(sheet_id) if sheet_id.isdigit() else 0)
        self.marked: set[str] = set()  # tabs carrying the tool's sheet-scoped defined name
        for defined in root.iter(f"{{{MAIN_NS}}}definedName"):
            scope = defined.get("localSheetId", "")
            if (defined.get("name", "").casefold() == MARK_NAME.casefold() and scope.isdigit()
                    and int(scope) < len(self.order)):
                self.marked.add(self.order[int(scope)])

    def _resolve(self, target: str) -> str:
        return target[1:] if target.startswith("/") else posixpath.normpath(
            posixpath.join(self.dir, target))

    def worksheet(self, name: str) -> str | None:
        """The part of the worksheet with exactly this name; SourceError for a chart sheet."""
        if name in self.others:
            where = self.pkg.path.name
            raise SourceError(f"cannot write tab {name!r} of {where}: it is not a worksheet")
        return self.sheets.get(name)

    def _free(self, stem: str, first: str = "1") -> str:
        """A part name stem+N+'.xml' not in the package (N counts up from `first`)."""
        n, suffix = 1, first
        while (name := f"{stem}{suffix}.xml").lower() in self.pkg.names or name in self.new_parts:
            n += 1
            suffix = str(n)
        self.new_parts.add(name)
        return name

    def _edit(self, text: str, root: str, tag: str, fragment: str) -> str:
        p = xml_prefix(text, root)
        new = insert_child(text, p, tag, fragment.replace("<", f"<{p}", 1))
        if new is None:
            raise SourceError(f"cannot write {self.pkg.path.name}: its {root} part is damaged")
        return new

    def free_part(self, stem: str) -> str:
        """A new part name ``stem`` + N + ``.xml`` the package does not hold yet."""
        return self._free(stem)

    def declare(self, part: str, content_type: str) -> None:
        """Declare a part's content type in [Content_Types].xml unless it is declared."""
        if re.search(rf'PartName\s*=\s*"/{re.escape(part)}"', self.ct_text, re.IGNORECASE):
            return
        self.ct_text = self._edit(self.ct_text, "Types", "Types",
                                  f'<Override PartName="/{part}" ContentType="{content_type}"/>')

    def undeclare(self, part: str) -> None:
        """Drop a removed part's content type and the part itself."""
        self.ct_text = _remove(self.ct_text, "Override", "PartName", "/" + part)
        self.removed.add(self.pkg.find(part) or part)

    def add_part(self, part: str, rel_type: str, content_type: str) -> str:
        """Relate a new part to the workbook and declare its content type; its new rId."""
        n = 1
        while f"rId{n}" in self.rels:
            n += 1
        rid = f"rId{n}"
        self.rels[rid] = (rel_type, part)
        target = posixpath.relpath(part, self.dir) if self.dir else part
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
        self.rels_text = self._edit(self.rels_text, "Relationships", "Relationships", rel)
        self.ct_text = self._edit(self.ct_text, "Types", "Types",
                                  f'<Override PartName="/{part}" ContentType="{content_type}"/>')
        return rid

    def add_sheet(self, name: str) -> str:
        """Add a worksheet as the last tab; the name of its (new, not yet written) part."""
        part = self._free(posixpath.join(self.dir, "worksheets", "sheet"))
        rid = self.add_part(part, _WS_TYPE, _WS_CT)
        declared = re.search(rf'xmlns:([\w.-]+)\s*=\s*"{re.escape(_REL)}"', self.text)
        rel = f'{declared.group(1)}:id="{rid}"' if declared else f'r:id="{rid}" xmlns:r="{_REL}"'
        self.sheet_ids.append(max(self.sheet_ids) + 1)
        sheet = f'<sheet name={quoteattr(name)} sheetId="{self.sheet_ids[-1]}" {rel}/>'
        self.text = self._edit(self.text, "workbook", "sheets", sheet)
        self.sheets[name] = part
        self.order.append(name)
        return part

    def mark(self, name: str) -> None:
        """Mark the tab as the tool's own: a defined name scoped to it (see owned.py)."""
        if name in self.marked:
            return
        p = xml_prefix(self.text, "workbook")
        self._add_defined(f'<{p}definedName name="{MARK_NAME}" localSheetId='
                          f'"{self.order.index(name)}">"{MARK_TEXT}"</{p}definedName>')
        self.marked.add(name)

    def define(self, defined: str, sheet: str, value: str) -> None:
        """Give the tab ``sheet`` the defined name ``defined`` (``_xlnm.Print_Titles``)
        with this value, replacing the value it has; nothing when it has it already."""
        p = xml_prefix(self.text, "workbook")
        scope = str(self.order.index(sheet))
        for found in re.finditer(rf"<{p}definedName\b([^>]*)>(.*?)</{p}definedName>",
                                 self.text, re.DOTALL):
            attrs = xml_attrs(found.group(1))
            if attrs.get("name") == defined and attrs.get("localSheetId") == scope:
                if found.group(2) == escape(value):
                    return
                self.text = (self.text[: found.start(2)] + escape(value)
                             + self.text[found.end(2) :])
                return
        self._add_defined(f'<{p}definedName name="{defined}" localSheetId="{scope}">'
                          f"{escape(value)}</{p}definedName>")

    def _add_defined(self, fragment: str) -> None:
        p = xml_prefix(self.text, "workbook")
        new = insert_child(self.text, p, "definedNames", fragment)
        if new is None:  # no <definedNames> yet: it follows sheets, functionGroups and
            # externalReferences, and precedes everything else (the schema's order)
            before = (rf"</{p}(?:sheets|functionGroups|externalReferences)>"
                      rf"|<{p}functionGroups\b[^>]*/>")
            ends = [m.end() for m in re.finditer(before, self.text)]
            if not ends:
                raise SourceError(f"cannot write {self.pkg.path.name}: its workbook part is "
                                  "damaged")
            at = max(ends)
            new = (f"{self.text[:at]}<{p}definedNames>{fragment}</{p}definedNames>"
                   f"{self.text[at:]}")
        self.text = new

    def changed(self) -> bool:
        """Whether the workbook part was edited (a tab added or marked)."""
        return self.text != self.originals[0]

    def drop_calc_chain(self) -> None:
        """Remove calcChain.xml (Excel rebuilds it) so it cannot point at replaced formulas."""
        for rid, (kind, target) in list(self.rels.items()):
            if kind.endswith("/calcChain"):
                self.rels_text = _remove(self.rels_text, "Relationship", "Id", rid)
                self.ct_text = _remove(self.ct_text, "Override", "PartName", "/" + target)
                self.removed.add(self.pkg.find(target) or target)

    def edits(self, styles: str | None) -> dict[str, bytes]:
        """Every package part this book changed, as new bytes.

        styles is the new text of the styles part when it changed (None: unchanged); a
        workbook without a styles part gets one.
        """
        out: dict[str, bytes] = {}
        if styles is not None:
            if self.styles_part is None:
                self.styles_part = self._free(posixpath.join(self.dir, "styles"), "")
                self.add_part(self.styles_part, _STYLES_TYPE, _STYLES_CT)
            out[self.styles_part] = styles.encode("utf-8")
        names = (self.part, self.rels_part, self.pkg.find("[Content_Types].xml") or "")
        for name, old, new in zip(names, self.originals, (self.text, self.rels_text, self.ct_text)):
            if new != old:
                out[self.pkg.find(name) or name] = new.encode("utf-8")
        return out
