"""What the chat service asks of a language model and what it gets back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["guest", "bot", "agent"]


class Turn(BaseModel):
    """One earlier message of the conversation, as context for the model."""

    role: Role
    text: str


class Passage(BaseModel):
    """A piece of the tenant's knowledge retrieved for this question."""

    id: str
    kind: str
    title: str
    text: str


class ModelRequest(BaseModel):
    """Everything the model needs for one reply."""

    model: str
    persona: str
    language: str
    tenant_name: str
    passages: list[Passage] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    message: str
    temperature: float = 0.3
    prompt_variant: str | None = None  # A/B: an extra instruction from an experiment variant


class LeadFields(BaseModel):
    """Contact details the model found in the conversation."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None


class ModelReply(BaseModel):
    """The model's structured answer and what it cost."""

    reply: str
    intent: str = "other"
    lead: LeadFields = Field(default_factory=LeadFields)
    wants_human: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    model_ms: int = 0
    model: str = ""


class ModelFailure(Exception):
    """The model gave no usable answer: timeout, quota, server error, malformed output or blocked.

    ``reason`` is one of ``timeout | rate_limited | server_error | malformed | blocked | error``.
    """

    def __init__(self, reason: str, *, model_ms: int = 0, input_tokens: int = 0, output_tokens: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.model_ms = model_ms
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
