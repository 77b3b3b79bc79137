"""Knowledge over HTTP: the same pack and validation as ``tools.tenants import``."""

from __future__ import annotations

from typing import Any

from shared.domain.errors import BadRequestError, ForbiddenError
from shared.domain.knowledge import parse_pack
from shared.services.ports import TenantRepository


class KnowledgeService:
    def __init__(self, tenants: TenantRepository) -> None:
        self.tenants = tenants

    def current(self, tenant: str) -> dict[str, Any]:
        """The tenant's pack and version as the chat serves it."""
        knowledge = self.tenants.get(tenant)
        return {"tenant": tenant, "version": knowledge.version, "pack": knowledge.pack.model_dump(mode="json")}

    def replace(self, tenant: str, raw: bytes) -> dict[str, Any]:
        """Validate a YAML or JSON pack (400 lists every bad field, nothing changes) and import it atomically."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequestError("The knowledge pack must be UTF-8 text (YAML or JSON)") from None
        if not text.strip():
            raise BadRequestError("The knowledge pack is empty")
        pack = parse_pack(text)
        if pack.tenant.id != tenant:
            raise ForbiddenError("The pack names another business; a key imports only its own")
        version = self.tenants.import_pack(pack)
        self.tenants.forget(tenant)
        return {
            "success": True,
            "tenant": tenant,
            "version": version,
            "faq": len(pack.faq),
            "packages": len(pack.packages),
            "documents": len(pack.documents),
        }
