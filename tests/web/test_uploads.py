"""Uploads: the role before the body, a size limit (413), files gone after the load, and a bad
file is the uploader's 4xx with no server path in it — never a 500."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from costmark.web import create_app
from costmark.web.uploads import safe_name
from tests.web.conftest import bearer
from tests.web.fakes import opener

FOCUS = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"
LIMIT = 200_000


@pytest.fixture
def small_limit(ws_root: Path, tokens: dict[str, str]) -> Path:
    cfg = ws_root / "costmark.yaml"
    cfg.write_text(cfg.read_text() + f"web:\n  upload_limit: {LIMIT}\n")
    return ws_root


@pytest.fixture
def client(small_limit: Path) -> Iterator[TestClient]:
    with TestClient(create_app(small_limit, opener=opener, background=False)) as c:
        yield c


def uploads_left(root: Path) -> list[Path]:
    return [p for p in (root / ".costmark" / "uploads").rglob("*") if p.is_file()]


def asgi_post(app: Any, token: str, chunks: list[bytes], length: int | None) -> tuple[int, int]:
    """(status, body chunks the app pulled) for a raw multipart POST to /api/ingest."""
    pulled = 0
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"multipart/form-data; boundary=XX"),
    ]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {"type": "http", "method": "POST", "path": "/api/ingest", "raw_path": b"/api/ingest",
             "query_string": b"", "headers": headers, "http_version": "1.1", "scheme": "http",
             "server": ("test", 80), "client": ("test", 1), "root_path": ""}  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1],
                    "more_body": pulled < len(chunks)}  # fmt: skip
        await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    asyncio.run(app(scope, receive, send))
    return status, pulled


def multipart_chunks(size: int) -> list[bytes]:
    head = b'--XX\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n\r\n'
    return [head] + [b"x" * 10_000] * (size // 10_000) + [b"\r\n--XX--\r\n"]


def test_a_viewer_is_refused_before_the_body_is_read(small_limit: Path, tokens: dict) -> None:
    app = create_app(small_limit, opener=opener, background=False)
    chunks = multipart_chunks(100_000)
    for who in ("viewer", "payments"):
        status, pulled = asgi_post(app, tokens[who], chunks, sum(map(len, chunks)))
        assert (status, pulled) == (403, 0), who
    assert not uploads_left(small_limit)


def test_size_limit_up_front_and_while_streaming(small_limit: Path, tokens: dict) -> None:
    app = create_app(small_limit, opener=opener, background=False)
    chunks = multipart_chunks(LIMIT * 3)
    status, pulled = asgi_post(app, tokens["analyst"], chunks, sum(map(len, chunks)))
    assert (status, pulled) == (413, 0)  # the declared length is enough to refuse
    status, pulled = asgi_post(app, tokens["analyst"], chunks, None)  # no length: counted
    assert status == 413 and pulled <= LIMIT // 10_000 + 2 < len(chunks)
    assert not uploads_left(small_limit)


def test_limit_message_and_default(client: TestClient, tokens: dict) -> None:
    resp = client.post(
        "/api/ingest",
        headers=bearer(tokens["analyst"]),
        files={"files": ("big.csv", b"x" * (LIMIT + 1), "text/csv")},
    )
    assert resp.status_code == 413
    assert "upload_limit" in resp.json()["error"]
    from costmark.spec.models import Project

    assert int(Project().web.upload_limit) == 10**9


BAD_FILES: dict[str, tuple[str, bytes]] = {
    "dotdot": ("..", FOCUS.read_bytes()),
    "dot": (".", b"a,b\n1,2\n"),
    "empty name": ("", b"a,b\n1,2\n"),
    "traversal": ("../../../../etc/passwd", b"root:x:0:0\n"),
    "not focus": ("x.csv", b"a,b\n1,2\n"),
    "empty": ("x.csv", b""),
    "binary": ("x.csv", bytes(range(256)) * 10),
    "bare cr": ("x.csv", FOCUS.read_bytes().replace(b"\n", b"\r")),
    "unbalanced quote": ("x.csv", FOCUS.read_bytes().replace(b",", b',"', 3)),
    "bad gzip": ("x.csv.gz", b"\x1f\x8bnot really gzip"),
    "gzip of junk": ("x.csv.gz", gzip.compress(bytes(range(256)) * 40)),
    "bad parquet": ("x.parquet", b"PAR1 not parquet PAR1"),
    "unknown suffix": ("x.exe", b"MZ"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_a_4xx_without_server_paths(
    client: TestClient, tokens: dict, small_limit: Path, case: str
) -> None:
    name, content = BAD_FILES[case]
    resp = client.post(
        "/api/ingest",
        headers=bearer(tokens["analyst"]),
        files={"files": (name, content, "text/csv")},
    )
    assert resp.status_code < 500, (case, resp.status_code, resp.text)
    assert str(small_limit) not in resp.text and "/tmp" not in resp.text, resp.text
    assert "/.costmark/uploads" not in resp.text
    assert not uploads_left(small_limit), case


def test_no_files_is_a_4xx(client: TestClient, tokens: dict) -> None:
    resp = client.post("/api/ingest", headers=bearer(tokens["analyst"]), data={"x": "1"})
    assert 400 <= resp.status_code < 500
    assert "no files uploaded" in resp.json()["error"]


def test_safe_names() -> None:
    taken: set[str] = set()
    assert safe_name("..", taken) == "upload.csv"
    assert safe_name("../../evil name.csv", taken) == "evil_name.csv"
    assert safe_name("a\\..\\evil name.csv", taken) == "evil_name-2.csv"
    assert safe_name(".hidden.csv", taken) == "hidden.csv"
    assert safe_name(None, taken) == "upload-2.csv"
