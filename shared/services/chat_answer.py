"""The answering step of a chat turn: what the bot says to a guest's message (no storage here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from shared.domain.assistant import ModelFailure, ModelReply, ModelRequest, Turn
from shared.domain.conversation import Conversation, LeadInterest, localized
from shared.domain.experiments import Overrides
from shared.domain.handoff import accepts_offer, handoff_notice, waiting_ack, wants_human
from shared.domain.leads import extract_lead, is_contactable, lead_interest
from shared.services.ports import LanguageModel, TenantKnowledge

if TYPE_CHECKING:
    from shared.domain.answering import KnowledgeAnswer


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
    confidence: float | None = None  # how sure the knowledge was (agents see it on the message)
    used: list[str] = field(default_factory=list)  # FAQ, package and document ids the reply rests on
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


_CONTACT_THANKS = {
    "pl": "Dziękujemy za dane kontaktowe — konsultant odezwie się najszybciej, jak to możliwe.",
    "en": "Thanks for your contact details — a member of our team will get back to you soon.",
}


class Answerer:
    """Knowledge first (FAQ, computed quotes), then the model, then a fallback that offers a person."""

    def __init__(self, model: LanguageModel, *, ai_enabled: bool, default_model: str) -> None:
        self.model = model
        self.ai_enabled = ai_enabled
        self.default_model = default_model

    def reply(
        self,
        knowledge: TenantKnowledge,
        conversation: Conversation,
        message: str,
        language: str,
        now: datetime,
        overrides: Overrides | None = None,
    ) -> Reply:
        """What the bot says: a hand-off notice when the guest asks for a person, else an answer.

        While the guest waits for a person the bot still answers what the knowledge can, and
        acknowledges the rest ("your message is passed on"), offering to leave contact details.
        """
        tenant = knowledge.pack.tenant
        if conversation.mode == "pending":
            reply = self.answer(knowledge, conversation, message, language, overrides or Overrides(), knowledge_only=True)
            if reply.source not in ("faq", "tool") or len(message.split()) < 2:  # "Czekam", "halo?" are not questions
                left = conversation.lead_id is not None or is_contactable(extract_lead(message))
                reply = Reply(text=waiting_ack(tenant, now, language, left), source="fallback", intent="waiting")
            return reply
        if wants_human(message, tenant.handoff_keywords, offered=accepts_offer(conversation.recent)):
            return Reply(text=handoff_notice(tenant, now, language), source="agent", intent="handoff", wants_human=True)
        reply = self.answer(knowledge, conversation, message, language, overrides or Overrides())
        if overrides is not None and overrides.suggestions is False:
            reply.suggestions = []
        return reply

    def answer(
        self,
        knowledge: TenantKnowledge,
        conversation: Conversation,
        message: str,
        language: str,
        overrides: Overrides,
        *,
        knowledge_only: bool = False,
    ) -> Reply:
        """The bot's answer from knowledge, the model, or an honest fallback (an A/B variant may change the knobs)."""
        from shared.domain.answering import answer_from_knowledge
        from shared.domain.retrieval import DEFAULT_FAQ_THRESHOLD

        pack = knowledge.pack
        threshold = DEFAULT_FAQ_THRESHOLD if overrides.faq_threshold is None else overrides.faq_threshold
        answer = answer_from_knowledge(pack, knowledge.index, message, language, faq_threshold=threshold)
        if knowledge_only and answer.source == "none":
            return Reply(text="", source="fallback", intent="unknown", confidence=round(answer.confidence, 3))
        reply = self._answer_with(answer, knowledge, conversation, message, language, overrides)
        reply.confidence = round(answer.confidence, 3)
        reply.used = answer.used
        return reply

    def _answer_with(
        self,
        answer: KnowledgeAnswer,
        knowledge: TenantKnowledge,
        conversation: Conversation,
        message: str,
        language: str,
        overrides: Overrides,
    ) -> Reply:
        from shared.domain.answering import dont_know
        from shared.domain.quotes import unbacked_amounts

        pack = knowledge.pack
        if answer.source in ("tool", "faq"):
            return Reply(
                text=answer.text,
                source=answer.source,
                intent=answer.intent or ("pricing" if answer.source == "tool" else "faq"),
                suggestions=answer.suggestions,
                packages=answer.package_ids,
                interest=lead_interest(answer.quotes, language),
            )
        if answer.declined and not is_contactable(extract_lead(message)):
            # Nothing relevant enough: no passage goes to the model, the guest hears the truth.
            return Reply(text=dont_know(language), source="fallback", intent="unknown", suggestions=answer.suggestions)
        if not self.ai_enabled:
            if answer.declined:  # so the message is contact details: the turn keeps them as a lead
                return Reply(text=localized(_CONTACT_THANKS, language), source="fallback", intent="contact")
            return Reply(text=localized(_AI_OFF, language), source="fallback", intent="unknown", suggestions=answer.suggestions)
        request = ModelRequest(
            model=overrides.model or pack.tenant.model or self.default_model,
            persona=overrides.persona_for(pack.tenant.persona),
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
