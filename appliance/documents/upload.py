"""Receiving an upload: multipart parsed while it streams, straight to disk, with limits.

Starlette's form parsing holds fields in memory and checks limits late; multipart parsers
have had a run of denial-of-service bugs (unbounded fields, huge part headers). Here the
body is fed chunk by chunk to python-multipart's streaming parser, the file part goes to
a temporary file in the uploads folder while its sha256 is computed, and every limit
(total size, part count, header size, field size) is checked as bytes arrive. Memory
stays flat however large the body is.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header

from appliance.errors import AppError, InvalidInputError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

TEMP_SUFFIX = ".part"
HEAD_BYTES = 8192
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small fields


class UploadError(AppError):
    """A refused upload; `status` is 400, 413 or 422."""


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_parts: int = 10
    max_header_bytes: int = 8 * 1024
    max_field_bytes: int = 16 * 1024


@dataclass(frozen=True)
class ReceivedFile:
    """The uploaded file, in a temporary file next to its final place."""

    temp_path: Path
    original_name: str
    size: int
    sha256: str
    head: bytes


def _too_large(limit: int) -> UploadError:
    error = UploadError("upload_too_large", megabytes=str(limit // (1024 * 1024)))
    error.status = 413
    return error


def _bad(code: str, **params: Any) -> UploadError:
    return UploadError(code, **params)


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    value: bytearray = field(default_factory=bytearray)


class _Receiver:
    """Callbacks for the streaming parser: one file part to disk, small fields to memory."""

    def __init__(self, folder: Path, limits: UploadLimits) -> None:
        self.folder = folder
        self.limits = limits
        self.fields: dict[str, str] = {}
        self.parts = 0
        self.part = _Part()
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.file: IO[bytes] | None = None
        self.temp_path: Path | None = None
        self.original_name = ""
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise _bad("upload_too_many_parts", parts=str(self.limits.max_parts))
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]
        self._check_header()

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]
        self._check_header()

    def _check_header(self) -> None:
        if len(self.header_field) + len(self.header_value) > self.limits.max_header_bytes:
            raise _bad("upload_header_too_long")

    def on_header_end(self) -> None:
        name = bytes(self.header_field).decode("latin-1").strip().lower()
        self.part.headers[name] = bytes(self.header_value)
        self.header_field.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        disposition = self.part.headers.get("content-disposition")
        if disposition is None:
            raise _bad("upload_part_unnamed")
        _kind, options = parse_options_header(disposition)
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        encoded = options.get(b"filename*")
        if encoded is not None:
            # RFC 5987: charset''percent-encoded, preferred over the plain parameter.
            _charset, _lang, quoted = encoded.decode("latin-1").split("'", 2)
            raw_filename = unquote(quoted).encode("utf-8")
        if raw_filename is not None:
            if self.file is not None:
                raise _bad("upload_one_file")
            self.part.filename = raw_filename.decode("utf-8", "replace")
            self.original_name = self.part.filename
            self.temp_path = self.folder / f"{uuid.uuid4().hex}{TEMP_SUFFIX}"
            self.file = self.temp_path.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.part.filename is None:
            self.part.value += chunk
            if len(self.part.value) > self.limits.max_field_bytes:
                raise _bad("upload_field_too_long", field=self.part.name)
            return
        self.size += len(chunk)
        if self.size > self.limits.max_file_bytes:
            raise _too_large(self.limits.max_file_bytes)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.digest.update(chunk)
        assert self.file is not None
        self.file.write(chunk)

    def on_part_end(self) -> None:
        if self.part.filename is None:
            self.fields[self.part.name] = self.part.value.decode("utf-8", "replace")

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.temp_path is not None:
            self.temp_path.unlink(missing_ok=True)


async def receive_upload(
    content_type: str | None,
    content_length: str | None,
    body: AsyncIterator[bytes],
    folder: Path,
    limits: UploadLimits,
) -> tuple[ReceivedFile, dict[str, str]]:
    """Stream a multipart body to a temporary file; returns the file and the other fields.

    Raises UploadError (400 malformed, 413 too large, 422 no file). On error nothing is
    left on disk.
    """
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise _bad("upload_not_multipart")
    declared = int(content_length) if content_length and content_length.isdigit() else 0
    if declared > limits.max_file_bytes + MULTIPART_OVERHEAD:
        raise _too_large(limits.max_file_bytes)
    receiver = _Receiver(folder, limits)
    parser = MultipartParser(
        boundary,
        receiver.callbacks(),
        max_size=limits.max_file_bytes + MULTIPART_OVERHEAD + 1,
        max_header_size=limits.max_header_bytes,
    )
    ceiling = limits.max_file_bytes + MULTIPART_OVERHEAD
    received_bytes = 0
    try:
        async for chunk in body:
            # Counted here too: the parser silently stops at max_size, and bytes outside
            # any part (a huge preamble) never reach the callbacks.
            received_bytes += len(chunk)
            if received_bytes > ceiling:
                raise _too_large(limits.max_file_bytes)
            parser.write(chunk)
        parser.finalize()
        if receiver.file is None or receiver.temp_path is None:
            raise InvalidInputError("upload_no_file", loc=("body", "file"))
        # Closed without fsync: that happens in `sync_to_disk`, off the event loop,
        # before anything refers to the file.
        receiver.file.close()
    except (UploadError, InvalidInputError):
        receiver.discard()
        raise
    except Exception as exc:  # the parser's own errors: malformed multipart
        receiver.discard()
        raise _bad("upload_unreadable", reason=str(exc) or type(exc).__name__) from None
    except BaseException:
        # The client went away or the server stops: leave nothing behind.
        receiver.discard()
        raise
    received = ReceivedFile(
        temp_path=receiver.temp_path,
        original_name=receiver.original_name,
        size=receiver.size,
        sha256=receiver.digest.hexdigest(),
        head=bytes(receiver.head),
    )
    return received, receiver.fields


def sync_to_disk(path: Path) -> None:
    """Make a received file durable before a database row points at it."""
    # Opened for writing: Windows flushes a file only through a handle that may write.
    with path.open("r+b") as handle:
        os.fsync(handle.fileno())
