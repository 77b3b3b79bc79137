"""Experiments: Firestore (tenants/{t}/experiments/{id}) and an in-memory fake with the same contract.

Publishing the running experiments writes them into ``knowledge/current`` and bumps the tenant's
version in one transaction, so every instance picks them up with the cached knowledge: a turn
reads nothing extra for its A/B assignment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.firestore_store import counter
from shared.domain.errors import NotFoundError
from shared.domain.experiments import Experiment
from shared.services.admin_experiments import ExperimentRepository
from shared.services.ports import TenantKnowledge

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.adapters.in_memory_store import InMemoryTenantRepository


class FirestoreExperimentRepository(ExperimentRepository):
    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _tenant(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant)

    def _ref(self, tenant: str, experiment_id: str) -> Any:
        return self._tenant(tenant).collection("experiments").document(experiment_id)

    def save(self, experiment: Experiment) -> None:
        self._ref(experiment.tenant, experiment.id).set(experiment.model_dump(mode="json", exclude={"id"}))
        counter.commit(1)

    def get(self, tenant: str, experiment_id: str) -> Experiment | None:
        doc = self._ref(tenant, experiment_id).get()
        counter.read()
        return Experiment.model_validate({**(doc.to_dict() or {}), "id": doc.id}) if doc.exists else None

    def of_tenant(self, tenant: str) -> list[Experiment]:
        docs = list(self._tenant(tenant).collection("experiments").order_by("created_at").stream())
        counter.read(max(1, len(docs)))
        return [Experiment.model_validate({**(d.to_dict() or {}), "id": d.id}) for d in docs]

    def delete(self, tenant: str, experiment_id: str) -> None:
        self._ref(tenant, experiment_id).delete()
        counter.commit(1)

    def publish_running(self, tenant: str, running: list[Experiment]) -> int:
        from google.cloud import firestore

        tenant_ref = self._tenant(tenant)
        knowledge_ref = tenant_ref.collection("knowledge").document("current")

        @firestore.transactional
        def publish(tx: Any) -> int:
            current = tenant_ref.get(transaction=tx)
            if not current.exists:
                raise NotFoundError(f"Unknown tenant {tenant!r}")
            version = int((current.to_dict() or {}).get("knowledge_version", 0)) + 1
            tx.update(tenant_ref, {"knowledge_version": version})
            tx.update(knowledge_ref, {"version": version, "experiments": [e.model_dump(mode="json") for e in running]})
            return version

        version: int = publish(self._db.transaction())
        counter.commit(2)
        return version


class InMemoryExperimentRepository(ExperimentRepository):
    def __init__(self, tenants: InMemoryTenantRepository) -> None:
        self.tenants = tenants
        self.items: dict[tuple[str, str], Experiment] = {}

    def save(self, experiment: Experiment) -> None:
        self.items[(experiment.tenant, experiment.id)] = experiment.model_copy(deep=True)

    def get(self, tenant: str, experiment_id: str) -> Experiment | None:
        found = self.items.get((tenant, experiment_id))
        return found.model_copy(deep=True) if found else None

    def of_tenant(self, tenant: str) -> list[Experiment]:
        return sorted((e.model_copy(deep=True) for (t, _), e in self.items.items() if t == tenant), key=lambda e: e.created_at)

    def delete(self, tenant: str, experiment_id: str) -> None:
        self.items.pop((tenant, experiment_id), None)

    def publish_running(self, tenant: str, running: list[Experiment]) -> int:
        current = self.tenants.get(tenant)
        version = current.version + 1
        self.tenants.knowledge[tenant] = TenantKnowledge(
            pack=current.pack, version=version, experiments=[e.model_copy(deep=True) for e in running]
        )
        return version
