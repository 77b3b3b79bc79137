"""The answering step of a chat turn: what the bot says to a guest's message (no storage here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.assistant import ModelFailure, ModelReply, ModelRequest, Turn
from shared.domain.conversation import Conversation, LeadInterest, localized
from shared.domain.handoff import handoff_notice, wants_human
from shared.domain.leads import lead_interest
from shared.services.ports import LanguageModel, TenantKnowledge


@dataclass
class Reply:
    text: str
    source: str
    intent: str
    suggestions: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    model: ModelReply | None = None
    model_ms: int = 0
    wants_human: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    interest: LeadInterest | None = None  # the quote this reply gives, for the lead


_FALLBACK = {
    "pl": "Przepraszam, nie mam teraz pewnej odpowiedzi na to pytanie. Mogę połączyć Cię z konsultantem — napisz „konsultant”.",
    "en": "Sorry, I don't have a reliable answer to that right now. "
    "I can connect you with a member of our team — just type “human”.",
}
_AI_OFF = {
    "pl": "Nie znalazłem odpowiedzi w naszej bazie wiedzy. Mogę połączyć Cię z konsultantem — napisz „konsultant”.",
    "en": "I couldn't find that in our knowledge base. I can connect you with a member of our team — just type “human”.",
}


class Answerer:
    """Knowledge first (FAQ, computed quotes), then the model, then a fallback that offers a person."""

    def __init__(self, model: LanguageModel, *, ai_enabled: bool, default_model: str) -> None:
        self.model = model
        self.ai_enabled = ai_enabled
        self.default_model = default_model

    def reply(self, knowledge: TenantKnowledge, conversation: Conversation, message: str, language: str, now: datetime) -> Reply:
        """What the bot says: a hand-off notice when the guest asks for a person, else an answer."""
        tenant = knowledge.pack.tenant
        if wants_human(message, tenant.handoff_keywords):
            return Reply(text=handoff_notice(tenant, now, language), source="agent", intent="handoff", wants_human=True)
        return self.answer(knowledge, conversation, message, language)

    def answer(self, knowledge: TenantKnowledge, conversation: Conversation, message: str, language: str) -> Reply:
        """The bot's answer from knowledge, the model, or an honest fallback."""
        from shared.domain.answering import answer_from_knowledge
        from shared.domain.quotes import unbacked_amounts

        pack = knowledge.pack
        answer = answer_from_knowledge(pack, knowledge.index, message, language)
        if answer.source in ("tool", "faq"):
            return Reply(
                text=answer.text,
                source=answer.source,
                intent=answer.intent or ("pricing" if answer.source == "tool" else "faq"),
                suggestions=answer.suggestions,
                packages=answer.package_ids,
                interest=lead_interest(answer.quotes, language),
            )
        if not self.ai_enabled:
            return Reply(text=localized(_AI_OFF, language), source="fallback", intent="unknown", suggestions=answer.suggestions)
        request = ModelRequest(
            model=pack.tenant.model or self.default_model,
            persona=pack.tenant.persona,
            language=language,
            tenant_name=pack.tenant.name,
            passages=answer.passages,
            history=[Turn(role=t.role, text=t.text) for t in conversation.recent if t.role in ("guest", "bot", "agent")],
            message=message,
        )
        try:
            model_reply = self.model.generate(request)
        except ModelFailure as failure:
            return Reply(
                text=localized(_FALLBACK, language),
                source="fallback",
                intent="unknown",
                suggestions=answer.suggestions,
                model_ms=failure.model_ms,
                input_tokens=failure.input_tokens,
                output_tokens=failure.output_tokens,
            )
        allowed = [q.total for q in answer.quotes]
        if unbacked_amounts(model_reply.reply, pack, allowed):
            # The model stated a price the business never published: it must not reach the guest.
            return Reply(
                text=localized(_FALLBACK, language),
                source="fallback",
                intent=model_reply.intent or "pricing",
                suggestions=answer.suggestions,
                model=model_reply,
                model_ms=model_reply.model_ms,
                input_tokens=model_reply.input_tokens,
                output_tokens=model_reply.output_tokens,
            )
        return Reply(
            text=model_reply.reply,
            source="llm",
            intent=model_reply.intent or "other",
            suggestions=answer.suggestions,
            packages=answer.package_ids,
            model=model_reply,
            model_ms=model_reply.model_ms,
            wants_human=model_reply.wants_human,
            input_tokens=model_reply.input_tokens,
            output_tokens=model_reply.output_tokens,
        )
