"""Receive uploaded FOCUS files: bounded in size, safe names, gone after the load.

Why its own module: an upload is the one request whose body can be large. The route checks the
caller's role before calling ``receive_files`` (FastAPI would otherwise read and spool the whole
multipart body before any check), the declared ``Content-Length`` is refused up front when it is
over the limit, and the bytes are counted again as they stream in (a client may send no length,
or lie). Files land in a private folder under ``.costmark/uploads`` that the caller deletes
after the load, whatever its outcome.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import anyio
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message

from costmark.errors import InputError
from costmark.errors import PayloadTooLarge as PayloadTooLarge
from costmark.present import numbers

#: Most files one upload may carry (each becomes a file on disk before the load).
MAX_FILES = 100


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the upload is larger than the limit of {numbers.count(limit)} bytes "
        "(web: upload_limit: in costmark.yaml)"
    )


def check_length(request: Request, limit: int) -> None:
    """Refuse a declared body over the limit before reading any of it."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise too_large(limit)


def safe_name(raw: str | None, taken: set[str]) -> str:
    """A plain file name inside the upload folder: no directories, no leading dots (``..``,
    ``.``, hidden files), only ``[A-Za-z0-9_.-]``, unique within the upload."""
    base = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", base).lstrip(".")[:200] or "upload.csv"
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    taken.add(candidate.lower())
    return candidate


async def receive_files(request: Request, limit: int, uploads: Path) -> tuple[Path, list[Path]]:
    """(folder, files) of a multipart upload (field ``files``), at most ``limit`` bytes read.

    The caller owns ``folder`` and must remove it (``discard``), also when this raises."""
    check_length(request, limit)
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large(limit)
        return message

    form = await Request(request.scope, counted).form(max_files=MAX_FILES, max_fields=MAX_FILES)
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=uploads))
    try:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not files:
            raise InputError("no files uploaded: send them as multipart form field 'files'")
        taken: set[str] = set()
        named = [(f, folder / safe_name(f.filename, taken)) for f in files]

        def save() -> list[Path]:  # disk work off the event loop
            for f, target in named:
                with target.open("wb") as out:
                    f.file.seek(0)
                    shutil.copyfileobj(f.file, out, 1 << 20)
            return [target for _, target in named]

        return folder, await anyio.to_thread.run_sync(save)
    except BaseException:
        discard(folder)
        raise
    finally:
        await form.close()


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


#: The directories of an absolute path (two levels or more; not part of a URL or a word).
ABSOLUTE_DIRS = re.compile(r"(?<![\w:/.])/(?:[^\s'\"/]+/){2,}")


def scrub(message: str, *roots: Path) -> str:
    """A message without the server's absolute paths: upload folders vanish (the file name
    stays), paths under the workspace become relative to it, and any other absolute path
    (even one a library cut short) keeps only its last part."""
    for root in roots:
        text = str(root)
        message = re.sub(re.escape(text) + r"/\.costmark/uploads/[^/\s'\"]+/", "", message)
        message = message.replace(text + "/", "").replace(text, ".")
    return ABSOLUTE_DIRS.sub("", message)
