"""Deep health checks that really touch each Google service, each with a short timeout."""

from __future__ import annotations

from shared.adapters.clients import GoogleClients
from shared.services.health import Check


def firestore_check(clients: GoogleClients, timeout: float) -> Check:
    """Read one document: proves the database answers reads."""

    def check() -> str:
        clients.firestore.collection("_health").document("ping").get(timeout=timeout, retry=None)
        return "ok"

    return check


def storage_check(clients: GoogleClients, bucket: str, timeout: float) -> Check:
    """Look up the backup bucket: proves Storage answers and the bucket exists."""

    def check() -> str:
        if clients.storage.lookup_bucket(bucket, timeout=timeout) is None:
            raise LookupError("backup bucket missing")
        return "ok"

    return check


def pubsub_check(clients: GoogleClients, topic: str, timeout: float) -> Check:
    """Look up the events topic: proves Pub/Sub answers and the topic exists."""

    def check() -> str:
        clients.publisher.get_topic(request={"topic": clients.topic_path(topic)}, timeout=timeout, retry=None)
        return "ok"

    return check


_PROBE_PACK = """
tenant: {id: probe, name: Probe, languages: [en], default_language: en, timezone: UTC, persona: Probe}
packages: []
faq:
  - {id: hours, intent: hours, lang: en, questions: ["What are your opening hours?"], answer: "9 to 5."}
  - {id: parking, intent: parking, lang: en, questions: ["Is there parking?"], answer: "Yes."}
documents: []
"""


def search_check() -> Check:
    """Build a knowledge index over a tiny pack and query it: proves the retrieval engine works here."""

    def check() -> str:
        from shared.domain.knowledge import parse_pack
        from shared.domain.retrieval import KnowledgeIndex

        index = KnowledgeIndex.build(parse_pack(_PROBE_PACK))
        hits = index.search("opening hours?", "en", k=1)
        if not hits or hits[0].id != "hours":
            raise LookupError("knowledge index returned the wrong passage")
        return "ok"

    return check
