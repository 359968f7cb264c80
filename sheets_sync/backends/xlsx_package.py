"""The .xlsx zip package: reading it, and writing it back atomically.

- :class:`Package` reads the zip once and :meth:`Package.commit` writes a new zip beside it:
  untouched entries are copied with their original compressed bytes (never decompressed and
  recompressed), changed and new parts are deflated (a part made piece by piece, a
  :class:`Deflated`, as it is made), and the result replaces the workbook
  atomically (temp file in the same directory, fsync, ``os.replace``), keeping the file's
  owner, group, mode and extended attributes (POSIX ACLs among them; what cannot be kept is
  logged). A temp file left by a write that was killed is removed by the next write.
- :func:`lock_file` / :func:`refuse_locked`: Excel and LibreOffice leave a lock file beside a
  workbook they hold open; no write happens while one exists.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import IO
from xml.etree import ElementTree

from sheets_sync.errors import SourceError

__all__ = ["Deflated", "Package", "Piecewise", "WorkbookLocked", "lock_file", "refuse_locked",
           "temp_files"]

log = logging.getLogger("sheets_sync.xlsx")
_LEVEL = 4  # how hard new and changed parts are deflated


class Piecewise:
    """A part made piece by piece: :meth:`write` the pieces in order, then :meth:`finish`
    with the bytes that go before them (a worksheet's start says how far its rows reach);
    then :attr:`data` holds the whole part."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.data = b""

    def write(self, data: bytes) -> None:
        self.pieces.append(data)

    def finish(self, head: bytes) -> None:
        self.data = b"".join([head, *self.pieces])
        self.pieces = []


class Deflated(Piecewise):
    """A part deflated as its pieces are written, so that it is never held whole (a
    worksheet of 100,000 rows is 50 MB of XML, 4 MB deflated): :attr:`payload` is its
    deflated bytes, :attr:`crc` and :attr:`size` those of the part, for its zip entry.

    The start, known last, is deflated on its own and flushed to a byte boundary without
    ending the stream; the pieces' own stream follows it. Together they are one deflate
    stream of the whole part (the pieces' blocks never refer back into the start).

    Given the part as the workbook holds it (``old``) and where its pieces would begin
    there (``at``, just after its start), the pieces are compared with it as they come and
    nothing is deflated while they match; :attr:`same` then says whether the whole part is
    what the workbook holds (and there is nothing to write). Once a piece differs, the
    matching ones are deflated from ``old`` and the rest as they come.
    """

    def __init__(self, old: bytes | None = None, at: int = 0) -> None:
        super().__init__()
        self._deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        self.payload = b""
        self.crc = self.size = 0
        self.same = False
        self._old, self._at = old, at
        self._matched = -1 if old is None else 0  # bytes of pieces equal to old's; -1: differ

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        if self._matched >= 0 and self._old is not None:
            at = self._at + self._matched
            if self._old[at:at + len(data)] == data:
                self._matched += len(data)
                return
            self._differ()
        self._put(data)

    def finish(self, head: bytes) -> None:
        old = self._old
        if self._matched >= 0 and old is not None:
            if (len(head) == self._at and self._at + self._matched == len(old)
                    and old[:self._at] == head):
                self.same, self._old = True, None
                return
            self._differ()
        self._old = None
        start = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        front = start.compress(head) + start.flush(zlib.Z_SYNC_FLUSH)
        self.payload = b"".join([front, *self.pieces, self._deflate.flush()])
        self.pieces = []
        self.crc = crc32_combine(zlib.crc32(head), self.crc, self.size)
        self.size += len(head)

    def _differ(self) -> None:
        """The pieces differ from the old part's: deflate those that matched (from it)."""
        if self._old is not None and self._matched > 0:
            self._put(memoryview(self._old)[self._at:self._at + self._matched])
        self._matched = -1

    def _put(self, data: bytes | memoryview) -> None:
        out = self._deflate.compress(data)
        if out:
            self.pieces.append(out)


def crc32_combine(first: int, second: int, length: int) -> int:
    """The CRC-32 of two byte strings one after the other, from the CRC-32 of each and the
    length of the second (zlib's crc32_combine, which Python's zlib does not offer).

    Appending a zero bit to the data is a linear map of the CRC register over GF(2): a
    32x32 bit matrix, applied here to the first CRC once per zero bit of the second's length
    (squaring the matrix for each bit of the length), then the second CRC xored on.
    """
    if length <= 0:
        return first
    zeros = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    zeros = _gf2_square(_gf2_square(zeros))  # four zero bits
    while length:  # squared first to one zero byte, then two, four, ... bytes
        zeros = _gf2_square(zeros)
        if length & 1:
            first = _gf2_times(zeros, first)
        length >>= 1
    return first ^ second


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


class WorkbookLocked(SourceError):
    """The workbook is open in Excel or LibreOffice (a lock file sits beside it)."""


def lock_file(path: Path) -> Path | None:
    """The Excel (`~$name.xlsx`) or LibreOffice (`.~lock.name.xlsx#`) lock file beside path.

    None when neither exists.
    """
    for candidate in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if candidate.exists():
            return candidate
    return None


def refuse_locked(path: Path) -> None:
    """Raise WorkbookLocked, saying what to do, when a lock file sits beside path.

    A symbolic link is checked both where it is and where the file it points to is.
    """
    for where in dict.fromkeys((path, Path(os.path.realpath(path)))):
        lock = lock_file(where)
        if lock is not None:
            raise WorkbookLocked(
                f"{where.name} is open in Excel or LibreOffice (lock file {lock}): close the "
                "workbook there and retry. If nobody has it open, the lock file is left over "
                "from a crash and can be deleted."
            )


# --- the zip --------------------------------------------------------------------------------


class Package:
    """The source zip, read once; commit() writes the new zip atomically beside it.

    Part names are looked up ignoring case, as Office does. Every failure to read is a
    SourceError naming the workbook; use it as a context manager so the file gets closed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.file = open(path, "rb")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise SourceError(f"workbook not found: {path}") from None
        except OSError as exc:
            raise SourceError(f"cannot read workbook {path}: {exc.strerror}") from None
        self.stat = os.fstat(self.file.fileno())
        try:
            self.zip = zipfile.ZipFile(self.file)
        except (zipfile.BadZipFile, OSError) as exc:
            self.file.close()
            raise SourceError(
                f"cannot read workbook {path}: not an .xlsx file ({exc}); password-protected "
                "workbooks cannot be written"
            ) from None
        self.infos = self.zip.infolist()
        self.names = {info.filename.lower(): info.filename for info in self.infos}
        if len(self.names) != len(self.infos):
            self.close()
            raise SourceError(f"cannot read workbook {path}: the zip holds duplicate entries")

    def __enter__(self) -> Package:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()
        self.file.close()

    def find(self, name: str) -> str | None:
        """The entry name as the zip spells it, or None when there is no such part."""
        return self.names.get(name.lower())

    def read(self, name: str) -> bytes:
        """A part's uncompressed bytes."""
        try:
            return self.zip.read(self.find(name) or name)
        except (KeyError, zipfile.BadZipFile, NotImplementedError, OSError, zlib.error) as exc:
            raise SourceError(f"cannot read workbook {self.path}: part {name} ({exc})") from None

    def text(self, name: str) -> str:
        """A part decoded as UTF-8."""
        try:
            return self.read(name).decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"cannot read workbook {self.path}: {name} is not UTF-8") from None

    def xml(self, name: str) -> tuple[str, ElementTree.Element]:
        """A part's text and its parsed root element."""
        text = self.text(name)
        try:
            return text, ElementTree.fromstring(text)
        except ElementTree.ParseError as exc:
            message = f"cannot read workbook {self.path}: {name} is damaged ({exc})"
            raise SourceError(message) from None

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        """An entry's compressed bytes exactly as stored, for copying without recompressing."""
        self.file.seek(info.header_offset)
        header = self.file.read(30)
        if header[:4] != b"PK\x03\x04" or info.flag_bits & 1:
            raise SourceError(f"cannot read workbook {self.path}: entry {info.filename} is damaged")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        self.file.seek(info.header_offset + 30 + name_len + extra_len)
        return self.file.read(info.compress_size)

    def commit(self, changes: Mapping[str, bytes | Deflated], removed: set[str]) -> None:
        """Replace the workbook by a zip with these parts changed or added and these removed.

        Entries keep their order; new parts go last. Atomic: on any failure the workbook is
        left as it was and the temp file is deleted. Refused (nothing written) when a lock
        file appeared meanwhile or the file was changed, moved or deleted since it was read.
        """
        directory = self.path.parent
        _remove_stale(self.path)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:  # a read-only or full directory: nothing was written
            raise SourceError(f"cannot write workbook {self.path}: {exc.strerror or exc} (in "
                              f"{directory}); the workbook was left unchanged") from exc
        try:
            out = os.fdopen(fd, "wb")
            try:  # locked until it is renamed: another write's cleanup leaves it alone
                _try_lock(out.fileno())
                self._write(out, dict(changes), removed)
                _keep_attributes(self.file.fileno(), out.fileno(), tmp, self.stat, self.path)
                os.fsync(out.fileno())
                self._check_unchanged()
                os.replace(tmp, self.path)
            finally:
                out.close()
        except BaseException as exc:
            with suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise SourceError(f"cannot write workbook {self.path}: {exc.strerror or exc}; "
                                  "the workbook was left unchanged") from exc
            raise
        with suppress(OSError):  # make the rename durable where the platform allows it
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def _write(self, out: IO[bytes], changes: dict[str, bytes | Deflated],
               removed: set[str]) -> None:
        """Write the new zip into out and flush it (entries are popped from changes)."""
        writer = _ZipWriter(out, self.path)
        for info in self.infos:
            if info.filename in changes:
                writer.add(info.filename, changes.pop(info.filename), info.date_time)
            elif info.filename not in removed:
                writer.copy(info, self.raw(info))
        for name, data in changes.items():
            writer.add(name, data, time.localtime()[:6])
        writer.finish()
        out.flush()

    def _check_unchanged(self) -> None:
        """SourceError unless the workbook is still unlocked and the very file that was read."""
        refuse_locked(self.path)
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            raise SourceError(f"{self.path} was deleted or moved while it was being "
                              "written; nothing was written") from None
        if (now.st_mtime_ns, now.st_size, now.st_ino) != (
            self.stat.st_mtime_ns, self.stat.st_size, self.stat.st_ino):
            raise SourceError(f"{self.path} changed while it was being written; retry")


# --- what the file is besides its bytes, and leftovers ---------------------------------------


def _keep_attributes(source: int, target: int, target_path: str, was: os.stat_result,
                     path: Path) -> None:
    """Give the new file (``target``) what the workbook (``source``, ``was``) had besides its
    bytes: owner and group, extended attributes (a POSIX ACL is one, system.posix_acl_access)
    and mode. What cannot be kept (not root, a file system without extended attributes) is
    logged as a warning; the write goes on."""
    lost: list[str] = []
    if hasattr(os, "fchown"):
        now = os.fstat(target)
        if (now.st_uid, now.st_gid) != (was.st_uid, was.st_gid):
            try:
                os.fchown(target, was.st_uid, was.st_gid)
            except OSError:  # only root gives a file away; a member may still set the group
                lost.append(f"owner (user {was.st_uid})")
                try:
                    os.fchown(target, -1, was.st_gid)
                except OSError:
                    lost.append(f"group ({was.st_gid})")
    lost.extend(_copy_xattrs(source, target))
    os.chmod(target_path, stat.S_IMODE(was.st_mode))  # last: chown clears set-ID bits
    if lost:
        log.warning("%s was rewritten without its %s: this process may not set them (it runs "
                    "as user %s); run sheets-sync as the workbook's owner, or as root, to keep "
                    "them", path, ", ".join(lost), os.getuid() if hasattr(os, "getuid") else "?")


def _copy_xattrs(source: int, target: int) -> list[str]:
    """Copy every extended attribute of ``source`` to ``target`` and drop those ``target``
    got from its folder (a default ACL) that ``source`` did not have; the names not copied."""
    if not hasattr(os, "listxattr"):  # pragma: no cover - not Linux
        return []
    try:
        names = os.listxattr(source)
    except OSError as exc:
        unsupported = (errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP))
        return [] if exc.errno in unsupported else ["extended attributes"]
    lost = []
    for name in names:
        try:
            os.setxattr(target, name, os.getxattr(source, name))
        except OSError:
            lost.append(f"extended attribute {name}")
    try:
        extra = set(os.listxattr(target)) - set(names)
    except OSError:
        extra = set()
    for name in extra:
        with suppress(OSError):
            os.removexattr(target, name)
    return lost


def temp_files(path: Path) -> list[Path]:
    """The temp files of this module's naming beside ``path`` (``.NAME.xxxxxxxx.tmp``)."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / n for n in names if n.startswith(prefix) and n.endswith(".tmp")
            and _RANDOM.fullmatch(n[len(prefix) : -4])]


_RANDOM = re.compile(r"[a-z0-9_]{8}")  # what tempfile.mkstemp puts between prefix and suffix
STALE_SECONDS = 600  # where a temp file cannot be tested for its lock: left over after this


def _remove_stale(path: Path) -> None:
    """Remove the temp files earlier writes of ``path`` left (a write killed before its
    rename): those no process holds locked; where locks cannot be tested, those older than
    STALE_SECONDS. Best effort."""
    for candidate in temp_files(path):
        try:
            fd = os.open(candidate, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            locked = _try_lock(fd)
            if stat.S_ISREG(info.st_mode) and (
                    locked is False or (locked is None
                                        and time.time() - info.st_mtime > STALE_SECONDS)):
                with suppress(OSError):
                    os.unlink(candidate)
                    log.info("removed %s, left over by an interrupted write", candidate)
        finally:
            os.close(fd)


def _try_lock(fd: int) -> bool | None:
    """Take an exclusive lock on ``fd`` if nobody holds one: False when taken (it was not
    locked), True when another process holds it, None when locks cannot be tested."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    return False


class _ZipWriter:
    """A minimal zip writer that can copy entries with their original compressed bytes."""

    def __init__(self, out: IO[bytes], path: Path) -> None:
        self.out = out
        self.path = path
        self.offset = 0
        self.central: list[bytes] = []

    def _entry(self, name: str, flags: int, method: int, date_time: tuple[int, ...], crc: int,
               sizes: tuple[int, int], payload: bytes, made_by: int, attrs: int) -> None:
        try:
            encoded = name.encode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), flags | 0x800
        year, month, day, hour, minute, second = date_time[:6]
        dos_date = (max(year, 1980) - 1980) << 9 | month << 5 | day
        dos_time = hour << 11 | minute << 5 | second // 2
        if max(self.offset, *sizes) > 0xFFFFFFFF or len(self.central) >= 0xFFFF:
            raise SourceError(f"cannot write workbook {self.path}: it is too large (over 4 GB)")
        fields = (flags & ~0x08, method, dos_time, dos_date, crc, sizes[0], sizes[1], len(encoded))
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *fields, 0)
        self.central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", made_by, 20, *fields,
                                        0, 0, 0, 0, attrs, self.offset) + encoded)
        self.out.write(local + encoded)
        self.out.write(payload)
        self.offset += len(local) + len(encoded) + len(payload)

    def copy(self, info: zipfile.ZipInfo, raw: bytes) -> None:
        """An entry as it was: raw is its compressed bytes."""
        made_by = info.create_system << 8 | info.create_version
        self._entry(info.filename, info.flag_bits, info.compress_type, info.date_time, info.CRC,
                    (info.compress_size, info.file_size), raw, made_by, info.external_attr)

    def add(self, name: str, data: bytes | Deflated, date_time: tuple[int, ...]) -> None:
        """A new or changed entry, deflated (a :class:`Deflated` part is already)."""
        if isinstance(data, Deflated):
            payload, crc, size = data.payload, data.crc, data.size
        else:
            compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
            payload = compressor.compress(data) + compressor.flush()
            crc, size = zlib.crc32(data), len(data)
        self._entry(name, 0, zipfile.ZIP_DEFLATED, date_time, crc, (len(payload), size),
                    payload, 20, 0)

    def finish(self) -> None:
        """The central directory and its end record."""
        directory = b"".join(self.central)
        self.out.write(directory)
        count = len(self.central)
        self.out.write(struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), self.offset, 0))
