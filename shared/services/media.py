"""Guests' files in a private bucket: where they are stored, and who may read them back."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.errors import ForbiddenError, NotFoundError
from shared.domain.validation import CONVERSATION_ID, invalid, matching

MEDIA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}\.(jpg|png|webp|pdf)$")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
SNIFF_BYTES = 16  # enough of a file's start to tell what it really is


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (images and PDF only); None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass(frozen=True)
class StoredObject:
    """What finalizing an upload needs to know of an object without downloading it."""

    head: bytes  # the first bytes asked for
    size: int
    content_type: str


@dataclass(frozen=True)
class UploadTarget:
    """Where and how a browser puts one object: the URL, the method and the headers it must send."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "PUT"


class MediaStore(ABC):
    """Where guests' files go (a private Cloud Storage bucket)."""

    @abstractmethod
    def put(self, path: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def get(self, path: str) -> tuple[bytes, str] | None:
        """The object's bytes and content type; None when it does not exist."""

    @abstractmethod
    def stat(self, path: str, head_bytes: int = SNIFF_BYTES) -> StoredObject | None:
        """The object's first bytes, size and content type (without reading the rest); None when absent."""

    @abstractmethod
    def delete(self, path: str) -> None:
        """Remove the object; nothing happens when it does not exist."""

    @abstractmethod
    def upload_target(self, path: str, content_type: str, max_bytes: int, expires_at: datetime) -> UploadTarget | None:
        """A URL a browser can PUT the object to directly (V4 signed); None where the store cannot sign."""


def media_path(tenant: str, conversation_id: str, name: str) -> str:
    """The object name of one of a conversation's files."""
    return f"tenants/{tenant}/conversations/{conversation_id}/media/{name}"


def staff_media(store: MediaStore, staff_tenant: str, raw_conversation: object, raw_name: object) -> tuple[bytes, str]:
    """A file of one of the staff member's own tenant's conversations (agents see what guests sent)."""
    conversation_id = matching(CONVERSATION_ID, raw_conversation, "conversation_id")
    if conversation_id.rsplit(".", 1)[0] != staff_tenant:
        raise ForbiddenError("This conversation belongs to another business")
    if not isinstance(raw_name, str) or not MEDIA_NAME.fullmatch(raw_name):
        raise invalid("name", "is not a media file name")
    found = store.get(media_path(staff_tenant, conversation_id, raw_name))
    if found is None:
        raise NotFoundError("No such file")
    return found
