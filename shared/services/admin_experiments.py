"""A/B experiment use cases: design, start/stop, delete, and results with always-valid statistics."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.errors import ConflictError, NotFoundError, ValidationFailed
from shared.domain.experiment_stats import ArmCounts, analyze
from shared.domain.experiments import Experiment, ExperimentSpec, new_experiment, parse_spec
from shared.domain.widgets import Period, total, variant_outcomes
from shared.services import admin_presenters as present
from shared.services.admin_widgets import MetricsReader
from shared.services.ports import TenantRepository

UPDATABLE = {"name", "variants", "control", "state", "parameter"}
MIN_PER_ARM = 100


class ExperimentRepository(ABC):
    """A tenant's experiments, and the running ones published with the tenant's cached config."""

    @abstractmethod
    def save(self, experiment: Experiment) -> None: ...

    @abstractmethod
    def get(self, tenant: str, experiment_id: str) -> Experiment | None: ...

    @abstractmethod
    def of_tenant(self, tenant: str) -> list[Experiment]:
        """Oldest first."""

    @abstractmethod
    def delete(self, tenant: str, experiment_id: str) -> None: ...

    @abstractmethod
    def publish_running(self, tenant: str, running: list[Experiment]) -> int:
        """Store the running experiments with the tenant's knowledge and bump its version; returns it."""


class ExperimentService:
    def __init__(
        self,
        experiments: ExperimentRepository,
        tenants: TenantRepository,
        metrics: MetricsReader,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        min_per_arm: int = MIN_PER_ARM,
    ) -> None:
        self.experiments = experiments
        self.tenants = tenants
        self.metrics = metrics
        self.clock = clock
        self.min_per_arm = min_per_arm

    def _get(self, tenant: str, experiment_id: str) -> Experiment:
        found = self.experiments.get(tenant, experiment_id)
        if found is None:
            raise NotFoundError("No such experiment")
        return found

    def list(self, tenant: str) -> dict[str, Any]:
        return {"experiments": [present.experiment(e) for e in self.experiments.of_tenant(tenant)]}

    def create(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        self.tenants.get(tenant)
        experiment = new_experiment(tenant, parse_spec(body), self.clock())
        self.experiments.save(experiment)
        return present.experiment(experiment)

    def get(self, tenant: str, experiment_id: str) -> dict[str, Any]:
        return present.experiment(self._get(tenant, experiment_id))

    def update(self, tenant: str, experiment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change the design (drafts only: 409 for a running one's variants) and/or the state."""
        unknown = sorted(set(body) - UPDATABLE)
        if unknown:
            details = [{"field": f, "message": "cannot be changed"} for f in unknown]
            raise ValidationFailed(f"Invalid update: {', '.join(unknown)}", details=details)
        experiment = self._get(tenant, experiment_id)
        now = self.clock()
        if body.keys() & {"name", "variants", "control"}:
            design = experiment.model_dump(mode="json", include={"name", "variants", "control"})
            if "variants" in body and "control" not in body:
                design.pop("control")  # new variants: the first is control unless the body says otherwise
            experiment.redesign(parse_spec({**design, **{k: v for k, v in body.items() if k != "state"}}), now)
        was_running = experiment.state == "running"
        if "state" in body:
            target = body["state"]
            if target not in ("draft", "running", "stopped"):
                raise ValidationFailed(
                    "state must be draft, running or stopped",
                    details=[{"field": "state", "message": "must be draft, running or stopped"}],
                )
            running = [e for e in self.experiments.of_tenant(tenant) if e.state == "running"]
            experiment.move_to(target, now, running)
        self.experiments.save(experiment)
        if was_running != (experiment.state == "running"):
            self._publish(tenant)
        return present.experiment(experiment)

    def delete(self, tenant: str, experiment_id: str) -> dict[str, Any]:
        experiment = self._get(tenant, experiment_id)
        if experiment.state == "running":
            raise ConflictError("Stop the experiment before deleting it")
        self.experiments.delete(tenant, experiment_id)
        return {"deleted": experiment_id}

    def _publish(self, tenant: str) -> None:
        running = [e for e in self.experiments.of_tenant(tenant) if e.state == "running"]
        self.experiments.publish_running(tenant, running)
        self.tenants.forget(tenant)

    def results(self, tenant: str, experiment_id: str) -> dict[str, Any]:
        """Per variant outcomes, and per outcome metric the rates, intervals and a decision safe to read daily."""
        experiment = self._get(tenant, experiment_id)
        zone = ZoneInfo(self.tenants.get(tenant).pack.tenant.timezone)
        start = experiment.started_at or experiment.created_at
        end = experiment.stopped_at or self.clock()
        period = Period(start.astimezone(zone).date(), end.astimezone(zone).date(), str(zone))
        outcomes = variant_outcomes(total(self.metrics.days(tenant, period.first, period.last)), experiment.id)
        rows = {v.name: outcomes.get((experiment.id, v.name), {}) for v in experiment.variants}

        def arms(successes: Callable[[dict[str, int]], int]) -> list[ArmCounts]:
            return [
                ArmCounts(name, o.get("conversations", 0), min(successes(o), o.get("conversations", 0)))
                for name, o in rows.items()
            ]

        resolved = arms(lambda o: o.get("conversations", 0) - o.get("handoffs", 0))
        leads = arms(lambda o: o.get("leads", 0))
        return {
            "experiment": present.experiment(experiment),
            "period": present.period(period),
            "outcomes": [present.variant_outcome(name, o) for name, o in rows.items()],
            "metrics": {
                "bot_resolution": {
                    "metric": "bot_resolution",
                    **analyze(resolved, experiment.control, min_per_arm=self.min_per_arm),
                },
                "lead_rate": {"metric": "lead_rate", **analyze(leads, experiment.control, min_per_arm=self.min_per_arm)},
            },
        }


__all__ = ["ExperimentRepository", "ExperimentService", "ExperimentSpec"]
