"""A/B experiments on the bot: variants override bot parameters; assignment is deterministic per conversation.

The aggregate owns its rules: ``draft → running → stopped``; a running or stopped experiment's
variants never change (its results would mix two designs); a tenant runs at most one experiment
per parameter (two experiments both changing the greeting could not be told apart).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.domain.conversation import Conversation
from shared.domain.errors import ConflictError, ValidationFailed
from shared.domain.metrics import experiment_increments

State = Literal["draft", "running", "stopped"]
PARAMETERS = ("greeting", "persona", "faq_threshold", "model", "suggestions")
NEXT_STATES: dict[str, set[str]] = {"draft": {"running"}, "running": {"stopped"}, "stopped": set()}
VARIANT_NAME = r"^[A-Za-z0-9-]{1,20}$"


class Overrides(BaseModel):
    """Bot parameters a variant changes; unset means "as configured"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: str | None = Field(None, min_length=1, max_length=500)
    persona: str | None = Field(None, min_length=1, max_length=2000, description="added to the tenant's persona")
    faq_threshold: float | None = Field(None, ge=0.0, le=1.0)
    model: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9.\-]{1,62}$")
    suggestions: bool | None = None

    def parameters(self) -> set[str]:
        return {name for name in PARAMETERS if getattr(self, name) is not None}

    def persona_for(self, persona: str) -> str:
        """The tenant's persona with the variant's addition."""
        return f"{persona.rstrip()}\n\n{self.persona}".strip() if self.persona else persona

    def merged(self, other: Overrides) -> Overrides:
        """These overrides with ``other``'s set fields on top."""
        return self.model_copy(update={k: getattr(other, k) for k in other.parameters()})


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=VARIANT_NAME)
    weight: int = Field(50, ge=1, le=1000)
    overrides: Overrides = Field(default_factory=Overrides)


class ExperimentSpec(BaseModel):
    """What an owner sends to create an experiment (or to replace a draft's design)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    variants: list[Variant] = Field(min_length=2, max_length=5)
    control: str | None = None
    parameter: str | None = None  # informational (the admin page sends it); the overrides say what changes

    @field_validator("parameter")
    @classmethod
    def _known_parameter(cls, value: str | None) -> str | None:
        if value is not None and value not in PARAMETERS:
            raise ValueError(f"must be one of {', '.join(PARAMETERS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentSpec:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        if self.control is not None and self.control not in names:
            raise ValueError("control must name one of the variants")
        if not any(v.overrides.parameters() for v in self.variants):
            raise ValueError("at least one variant must override a bot parameter")
        return self


class Experiment(BaseModel):
    id: str
    tenant: str
    name: str
    state: State = "draft"
    variants: list[Variant]
    control: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    stopped_at: datetime | None = None

    @property
    def parameters(self) -> set[str]:
        return set().union(*(v.overrides.parameters() for v in self.variants))

    def move_to(self, target: str, now: datetime, running: Iterable[Experiment]) -> None:
        """Start or stop; starting checks no other running experiment changes the same parameter."""
        if target == self.state:
            return
        if target not in NEXT_STATES[self.state]:
            raise ConflictError(f"Experiment is {self.state}; it cannot move to {target}")
        if target == "running":
            for other in running:
                shared = sorted(self.parameters & other.parameters)
                if other.id != self.id and shared:
                    raise ConflictError(f"Experiment {other.name!r} is already running on {', '.join(shared)}")
            self.started_at = now
        else:
            self.stopped_at = now
        self.state = target  # type: ignore[assignment]  # checked against NEXT_STATES above
        self.updated_at = now

    def redesign(self, spec: ExperimentSpec, now: datetime) -> None:
        """Replace name, variants and control; only a draft's variants may change (409 otherwise)."""
        if self.state != "draft" and (spec.variants != self.variants or (spec.control or self.control) != self.control):
            raise ConflictError(f"Experiment is {self.state}; its variants cannot change")
        self.name = spec.name
        self.variants = list(spec.variants)
        self.control = spec.control or spec.variants[0].name
        self.updated_at = now

    def assign(self, conversation_id: str) -> Variant:
        """The conversation's variant: a hash of (experiment, conversation) into the weights, so it never changes."""
        digest = hashlib.sha256(f"{self.id}\x1f{conversation_id}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % sum(v.weight for v in self.variants)
        for variant in self.variants:
            if point < variant.weight:
                return variant
            point -= variant.weight
        return self.variants[-1]  # unreachable: the weights add up to the modulus


def new_experiment(tenant: str, spec: ExperimentSpec, now: datetime) -> Experiment:
    return Experiment(
        id="exp" + secrets.token_hex(6),
        tenant=tenant,
        name=spec.name,
        variants=list(spec.variants),
        control=spec.control or spec.variants[0].name,
        created_at=now,
        updated_at=now,
    )


def parse_spec(body: Mapping[str, Any]) -> ExperimentSpec:
    """A validated spec, or a 400 listing every bad field."""
    try:
        return ExperimentSpec.model_validate(dict(body))
    except ValidationError as err:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"].removeprefix("Value error, ")}
            for e in err.errors()
        ]
        raise ValidationFailed(f"Invalid experiment: {', '.join(d['field'] for d in details)}", details=details) from None


def enrolled(conversation: Conversation, running: Sequence[Experiment]) -> list[tuple[Experiment, Variant]]:
    """The running experiments the conversation takes part in (those started before it began) and its variants."""
    return [
        (e, e.assign(conversation.id))
        for e in running
        if e.state == "running" and e.started_at is not None and e.started_at <= conversation.created_at
    ]


def enroll(conversation: Conversation, running: Sequence[Experiment]) -> Overrides:
    """The bot parameters for this conversation; a new one records its (first) experiment and variant."""
    overrides = Overrides()
    memberships = enrolled(conversation, running)
    for _, variant in memberships:
        overrides = overrides.merged(variant.overrides)
    if memberships and conversation.experiment_id is None:
        conversation.experiment_id, conversation.variant = memberships[0][0].id, memberships[0][1].name
    return overrides


def with_outcomes(conversation: Conversation, running: Sequence[Experiment], counts: dict[str, int]) -> dict[str, int]:
    """A write's roll-up counters plus its outcomes for each experiment variant the conversation is in."""
    pairs = [(e.id, v.name) for e, v in enrolled(conversation, running)]
    return {**counts, **experiment_increments(pairs, counts)} if pairs else counts
