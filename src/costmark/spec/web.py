"""Web server settings (costmark.yaml ``web:``).

    web:
      upload_limit: 1 GB     # largest upload body accepted by POST /api/ingest (413 above)

Sizes take pydantic's byte units ("500 MB", "2 GiB", or a plain number of bytes).
"""

from __future__ import annotations

from pydantic import ByteSize, Field

from costmark.spec.base import Frozen


class WebSettings(Frozen):

    #: Largest request body an upload may have, counted as it streams in (default 1 GB).
    upload_limit: ByteSize = Field(default=ByteSize(10**9), gt=0)
