"""Transports: the requests adapter, the loopback HTTP server, and URL rewriting; routing."""

from __future__ import annotations

import contextlib
import http
import io
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from ._model import NOT_FOUND

if TYPE_CHECKING:
    from .fake_sheets import FakeSheetsAPI

GOOGLE_PREFIXES = ("https://sheets.googleapis.com", "https://www.googleapis.com",
                   "https://oauth2.googleapis.com")
JSON_TYPE = "application/json; charset=UTF-8"


# ---------------------------------------------------------------------------- answers


@dataclass
class Outcome:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    dropped: bool = False
    timed_out: bool = False


def _json(status: int, payload: Any) -> Outcome:
    """Pretty-printed like Google's answers; large ones compact (the C encoder is 10x faster)."""
    text = json.dumps(payload, ensure_ascii=False)
    if len(text) < 200_000:
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    return Outcome(status, {"Content-Type": JSON_TYPE}, (text + "\n").encode("utf-8"))


def _html(status: int, path: str) -> Outcome:
    phrase = http.HTTPStatus(status).phrase
    body = (f"<!DOCTYPE html>\n<html lang=en>\n<title>Error {status} ({phrase})!!1</title>\n"
            f"<p><b>{status}.</b> <ins>That’s an error.</ins>\n<p>The requested URL <code>"
            f"{path}</code> was not found on this server.  <ins>That’s all we know.</ins>\n")
    return Outcome(status, {"Content-Type": "text/html; charset=UTF-8"}, body.encode("utf-8"))


_FAULT_ERRORS = {
    400: ("Request contains an invalid argument.", "INVALID_ARGUMENT"),
    401: ("Request had invalid authentication credentials. Expected OAuth 2 access token, "
          "login cookie or other valid authentication credential.", "UNAUTHENTICATED"),
    403: ("The caller does not have permission", "PERMISSION_DENIED"),
    404: (NOT_FOUND, "NOT_FOUND"),
    408: ("Request timeout.", "DEADLINE_EXCEEDED"),
    409: ("The operation was aborted.", "ABORTED"),
    500: ("Internal error encountered.", "INTERNAL"),
    503: ("The service is currently unavailable.", "UNAVAILABLE"),
    504: ("The request timed out. Please try again.", "DEADLINE_EXCEEDED"),
}


def route(method: str, raw_path: str) -> tuple[str, dict[str, str]]:
    """Return the kind of a request ("values.get") and its path arguments."""
    if raw_path == "/token" and method == "POST":
        return "oauth.token", {}
    m = re.fullmatch(r"/v4/spreadsheets(?:/(?P<id>[^/:]+)(?P<tail>.*))?", raw_path)
    if m:
        if m["id"] is None:
            return ("spreadsheets.create", {}) if method == "POST" else ("unknown", {})
        args = {"id": unquote(m["id"])}
        tail = m["tail"]
        simple = {("GET", ""): "spreadsheets.get", ("POST", ":batchUpdate"):
                  "spreadsheets.batchUpdate", ("GET", "/values:batchGet"): "values.batchGet",
                  ("POST", "/values:batchUpdate"): "values.batchUpdate",
                  ("POST", "/values:batchClear"): "values.batchClear",
                  ("POST", "/developerMetadata:search"): "developerMetadata.search"}
        if (method, tail) in simple:
            return simple[(method, tail)], args
        v = re.fullmatch(r"/values/(?P<range>.+?)(?::(?P<verb>append|clear))?", tail)
        if v:
            args["range"] = unquote(v["range"])
            verbs = {(None, "GET"): "values.get", (None, "PUT"): "values.update",
                     ("append", "POST"): "values.append", ("clear", "POST"): "values.clear"}
            verb = verbs.get((v["verb"], method))
            return (verb, args) if verb else ("unknown", {})
        d = re.fullmatch(r"/developerMetadata/(?P<mid>[0-9]+)", tail)
        if d and method == "GET":
            return "developerMetadata.get", {**args, "metadataId": d["mid"]}
        c = re.fullmatch(r"/sheets/(?P<sid>[0-9]+):copyTo", tail)
        if c and method == "POST":
            return "sheets.copyTo", {**args, "sheetId": c["sid"]}
        return "unknown", {}
    m = re.fullmatch(r"/drive/v3/files(?:/(?P<id>[^/]+)(?P<tail>/.*)?)?", raw_path)
    if m:
        if m["id"] is None:
            found = {"GET": "drive.files.list", "POST": "drive.files.create"}.get(method)
            return (found, {}) if found else ("unknown", {})
        args = {"id": unquote(m["id"])}
        tail = m["tail"] or ""
        kinds = {("GET", ""): "drive.files.get", ("PATCH", ""): "drive.files.update",
                 ("DELETE", ""): "drive.files.delete", ("POST", "/copy"): "drive.files.copy",
                 ("GET", "/permissions"): "drive.permissions.list",
                 ("POST", "/permissions"): "drive.permissions.create",
                 ("GET", "/comments"): "drive.comments.list"}
        if (method, tail) in kinds:
            return kinds[(method, tail)], args
        p = re.fullmatch(r"/permissions/(?P<pid>[^/]+)", tail)
        if p and method == "DELETE":
            return "drive.permissions.delete", {**args, "permissionId": unquote(p["pid"])}
    return "unknown", {}


# ---------------------------------------------------------------------------- in-process


class FakeAdapter(BaseAdapter):
    """A requests transport answering from a FakeSheetsAPI, without sockets."""

    def __init__(self, api: FakeSheetsAPI) -> None:
        super().__init__()
        self.api = api

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        raw: Any = request.body
        if hasattr(raw, "read"):
            raw = raw.read()
        elif raw is not None and not isinstance(raw, str | bytes):
            raw = b"".join(p if isinstance(p, bytes) else str(p).encode() for p in raw)
        body: bytes | None = raw.encode("utf-8") if isinstance(raw, str) else raw
        url = request.url or ""
        headers = {k: v if isinstance(v, str) else v.decode("latin-1")
                   for k, v in request.headers.items()}
        outcome = self.api.process(request.method or "GET", url, headers, body,
                                   timeout=read_timeout)
        if outcome.dropped:
            raise requests.exceptions.ConnectionError(
                "('Connection aborted.', RemoteDisconnected('Remote end closed connection "
                "without response'))", request=request)
        if outcome.timed_out:
            host = urlsplit(url).hostname
            raise requests.exceptions.ReadTimeout(
                f"HTTPSConnectionPool(host='{host}', port=443): Read timed out. "
                f"(read timeout={read_timeout})", request=request)
        response = requests.Response()
        response.status_code = outcome.status
        response.reason = http.HTTPStatus(outcome.status).phrase
        response.headers = CaseInsensitiveDict(
            {**outcome.headers, "Content-Length": str(len(outcome.body))})
        response._content = outcome.body
        response.raw = io.BytesIO(outcome.body)
        response.encoding = "utf-8"
        response.url = url
        response.request = request
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------- over HTTP


def _handler(api: FakeSheetsAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            outcome = api.process(self.command, f"http://fake{self.path}",
                                  dict(self.headers.items()), body)
            if outcome.dropped:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(outcome.status)
            for key, value in outcome.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(outcome.body)))
            self.end_headers()
            self.wfile.write(outcome.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class ServedFake:
    """A FakeSheetsAPI served over HTTP on loopback; ``url`` is e.g. http://127.0.0.1:54321."""

    def __init__(self, api: FakeSheetsAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), _handler(api))
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name="fake-sheets-server")
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServedFake:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class _RewritingAdapter(HTTPAdapter):
    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        url = request.url or ""
        for prefix in GOOGLE_PREFIXES:
            if url.startswith(prefix + "/"):
                request = request.copy()
                request.url = self.base_url + url[len(prefix):]
                break
        return super().send(request, *args, **kwargs)


def rewriting_session(base_url: str, session: requests.Session | None = None
                      ) -> requests.Session:
    """A session sending Google API requests to ``base_url`` (a served fake) instead.

    ``https://sheets.googleapis.com/v4/...`` goes to ``{base_url}/v4/...``,
    ``https://www.googleapis.com/drive/v3/...`` to ``{base_url}/drive/v3/...`` and the OAuth
    token endpoint ``https://oauth2.googleapis.com/token`` to ``{base_url}/token``. Proxy settings
    from the environment are ignored so loopback requests stay on loopback.
    """
    session = session or requests.Session()
    session.trust_env = False
    adapter = _RewritingAdapter(base_url)
    for prefix in GOOGLE_PREFIXES:
        session.mount(prefix + "/", adapter)
    return session
