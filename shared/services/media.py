"""Guests' files in a private bucket: where they are stored, and who may read them back."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from shared.domain.errors import ForbiddenError, NotFoundError
from shared.domain.validation import CONVERSATION_ID, invalid, matching

MEDIA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}\.(jpg|png|webp|pdf)$")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}


class MediaStore(ABC):
    """Where guests' files go (a private Cloud Storage bucket)."""

    @abstractmethod
    def put(self, path: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def get(self, path: str) -> tuple[bytes, str] | None:
        """The object's bytes and content type; None when it does not exist."""


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
