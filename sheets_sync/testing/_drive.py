"""The part of Drive v3 gspread uses for spreadsheets: files create/get/list/update/copy/delete
and permissions; and what Drive tells about a file's changes (``version``, ``modifiedTime``,
``lastModifyingUser``), which sheets-sync asks before reading a calendar."""

from __future__ import annotations

import re
from typing import Any

from ._model import ApiError, Spreadsheet, Store

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
Query = dict[str, list[str]]
PERSON = "person"  # who edits through the fake's helpers: someone in the Sheets editor
PERSON_EMAIL = "editor@agency.example"


class DriveStore(Store):
    """The fake's spreadsheets, with Drive's record of each file's changes.

    Drive's File resource documents ``version`` as a number (sent as an int64 string) that
    only ever grows and moves with every change made to the file on the server, visible or
    not; ``modifiedTime`` as the time of the last change; and ``lastModifyingUser`` as the
    user who changed the file last, whose ``me`` says whether that is the user asking.
    Every change the fake makes (a Sheets write, a batchUpdate, a Drive rename, an edit
    through a helper) goes through :meth:`touch`: the version goes up by one and the change
    is put down to ``requester``, which the fake sets to the caller (its Authorization
    header) while it answers a request and leaves as :data:`PERSON` otherwise. Reads change
    nothing.
    """

    def __init__(self, rng: Any, owner: str) -> None:
        super().__init__(rng, owner)
        self.versions: dict[str, int] = {}
        self.modified_by: dict[str, str] = {}
        self.requester = PERSON

    def touch(self, book: Spreadsheet) -> None:
        super().touch(book)
        self.versions[book.id] = self.version(book.id) + 1
        self.modified_by[book.id] = self.requester

    def version(self, file_id: str) -> int:
        return self.versions.get(file_id, 1)

    def last_modifier(self, book: Spreadsheet) -> dict[str, Any]:
        """The ``lastModifyingUser`` of a file, as the current requester sees it."""
        who = self.modified_by.get(book.id, "")
        email = PERSON_EMAIL if who == PERSON else self.owner
        return {"kind": "drive#user", "displayName": email.split("@")[0],
                "me": who == self.requester, "emailAddress": email}


def not_found(file_id: str) -> ApiError:
    return ApiError(404, f"File not found: {file_id}.", "NOT_FOUND", drive_reason="notFound")


def file_resource(store: DriveStore, book: Spreadsheet) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "drive#file", "id": book.id, "name": book.title, "mimeType": book.mime_type,
        "starred": False, "trashed": False, "parents": list(book.parents) or ["root"],
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{book.id}/edit?usp=drivesdk",
        "createdTime": book.created, "modifiedTime": book.modified,
        "owners": [{"kind": "drive#user", "displayName": store.owner.split("@")[0],
                    "me": True, "emailAddress": store.owner}],
        "shared": len(book.permissions) > 1, "ownedByMe": True,
        "version": str(store.version(book.id)), "lastModifyingUser": store.last_modifier(book),
    }
    return out


def default_view(resource: dict[str, Any]) -> dict[str, Any]:
    """The fields Drive returns when the request names none."""
    return {k: resource[k] for k in ("kind", "id", "name", "mimeType")}


def _book(store: DriveStore, file_id: str) -> Spreadsheet:
    book = store.books.get(file_id)
    if book is None or book.access == "none":
        raise not_found(file_id)
    return book


def create(store: DriveStore, query: Query, body: dict[str, Any]) -> dict[str, Any]:
    mime = str(body.get("mimeType") or "application/octet-stream")
    book = store.new_spreadsheet(str(body.get("name") or "Untitled"), mime_type=mime)
    book.parents = [str(p) for p in body.get("parents") or []]
    return file_resource(store, book)


def get(store: DriveStore, file_id: str) -> dict[str, Any]:
    return file_resource(store, _book(store, file_id))


def update(store: DriveStore, file_id: str, body: dict[str, Any]) -> dict[str, Any]:
    book = _book(store, file_id)
    if book.access != "write":
        raise ApiError(403, "The user does not have sufficient permissions for this file.",
                       "PERMISSION_DENIED", drive_reason="insufficientFilePermissions")
    if body.get("name"):
        book.props["title"] = str(body["name"])
    store.touch(book)
    return file_resource(store, book)


def copy(store: DriveStore, file_id: str, body: dict[str, Any]) -> dict[str, Any]:
    source = _book(store, file_id)
    clone = source.clone()
    fresh = store.new_spreadsheet(str(body.get("name") or f"Copy of {source.title}"),
                                  mime_type=source.mime_type)
    clone.id, clone.created, clone.modified = fresh.id, fresh.created, fresh.modified
    clone.props["title"] = fresh.title
    clone.permissions = fresh.permissions
    clone.access = "write"
    store.books[clone.id] = clone
    return file_resource(store, clone)


def delete(store: DriveStore, file_id: str) -> None:
    book = _book(store, file_id)
    if book.access != "write":
        raise ApiError(403, "The user does not have sufficient permissions for this file.",
                       "PERMISSION_DENIED", drive_reason="insufficientFilePermissions")
    del store.books[file_id]


_CLAUSE = re.compile(
    r"""\s*(?:(?P<field>mimeType|name|trashed)\s*(?P<op>=|!=|contains)\s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|true|false)
    |(?P<parent>'[^']*'|"[^"]*")\s+in\s+parents
    |parents\s+in\s+(?P<parent2>'[^']*'|"[^"]*"))\s*""",
    re.VERBOSE | re.IGNORECASE,
)


def _matches(book: Spreadsheet, q: str) -> bool:
    for clause in re.split(r"\s+and\s+", q.strip(), flags=re.IGNORECASE) if q.strip() else []:
        m = _CLAUSE.fullmatch(clause)
        if m is None:
            raise ApiError(400, "Invalid Value", "INVALID_ARGUMENT", drive_reason="invalid")
        parent = m["parent"] or m["parent2"]
        if parent:
            if parent[1:-1] not in (book.parents or ["root"]):
                return False
            continue
        raw = m["value"]
        value = raw[1:-1].replace("\\'", "'").replace('\\"', '"') if raw[0] in "'\"" else raw
        field, op = m["field"].lower(), m["op"].lower()
        actual = {"mimetype": book.mime_type, "name": book.title, "trashed": "false"}[field]
        ok = value.lower() in actual.lower() if op == "contains" else actual == value
        if ok == (op == "!="):
            return False
    return True


def list_files(store: DriveStore, query: Query) -> dict[str, Any]:
    q = (query.get("q") or [""])[-1]
    books = [b for b in store.books.values() if b.access != "none" and _matches(b, q)]
    books.sort(key=lambda b: b.modified, reverse=True)
    size = int((query.get("pageSize") or ["100"])[-1] or 100)
    start = int((query.get("pageToken") or ["0"])[-1] or 0)
    page = books[start:start + size]
    out: dict[str, Any] = {"kind": "drive#fileList"}
    if start + size < len(books):
        out["nextPageToken"] = str(start + size)
    out["incompleteSearch"] = False
    out["files"] = [default_view(file_resource(store, b)) if "fields" not in query
                    else file_resource(store, b) for b in page]
    return out


def list_permissions(store: DriveStore, file_id: str) -> dict[str, Any]:
    book = _book(store, file_id)
    return {"kind": "drive#permissionList", "permissions": [dict(p) for p in book.permissions]}


def create_permission(store: DriveStore, file_id: str, body: dict[str, Any]) -> dict[str, Any]:
    book = _book(store, file_id)
    perm = {"kind": "drive#permission", "id": str(store.rng.randrange(10**19, 10**20)),
            "type": body.get("type") or "user", "role": body.get("role") or "reader"}
    for key in ("emailAddress", "domain"):
        if body.get(key):
            perm[key] = body[key]
    book.permissions.append(perm)
    return perm


def delete_permission(store: DriveStore, file_id: str, permission_id: str) -> None:
    book = _book(store, file_id)
    before = len(book.permissions)
    book.permissions = [p for p in book.permissions if p["id"] != permission_id]
    if len(book.permissions) == before:
        raise ApiError(404, f"Permission not found: {permission_id}.", "NOT_FOUND",
                       drive_reason="notFound")
