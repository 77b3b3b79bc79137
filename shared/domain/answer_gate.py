"""The answerability gate: a small learned check on top of retrieval that decides whether any FAQ
entry or passage may be used for a message, or the guest hears an honest "I don't know".

Retrieval ranks; the gate judges. It weighs a handful of interpretable features of the message and
its best FAQ candidate (``KnowledgeIndex.gate_features``) with a logistic regression trained by
``python -m tools.train_gate`` on the tuning and near-miss evaluation sets of both demo tenants
(never on the held-out sets). Its coefficients live in ``answer_gate.json`` next to this module; at
run time it is a dot product, no numerical library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GATE_PATH = Path(__file__).resolve().with_name("answer_gate.json")


@dataclass(frozen=True)
class AnswerGate:
    """A logistic regression over standardised features, and the probability it must reach."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    @classmethod
    def open(cls) -> AnswerGate:
        """A gate that admits everything: retrieval's thresholds alone decide (training, comparisons)."""
        return cls((), (), (), (), 0.0, 0.0)

    def probability(self, values: Mapping[str, float]) -> float:
        """How likely the best candidate answers the message, in [0, 1]."""
        z = self.bias
        for name, mean, scale, weight in zip(self.features, self.means, self.scales, self.weights, strict=True):
            z += weight * (values.get(name, 0.0) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def admits(self, values: Mapping[str, float]) -> bool:
        """Whether the knowledge may be used for this message at all."""
        return self.probability(values) >= self.threshold

    def to_json(self) -> str:
        """The committed form (``answer_gate.json``)."""
        data = {
            "features": list(self.features),
            "means": [round(v, 6) for v in self.means],
            "scales": [round(v, 6) for v in self.scales],
            "weights": [round(v, 6) for v in self.weights],
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 4),
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AnswerGate:
        """Read the committed form back."""
        data = json.loads(text)
        return cls(
            features=tuple(str(f) for f in data["features"]),
            means=tuple(float(v) for v in data["means"]),
            scales=tuple(float(v) for v in data["scales"]),
            weights=tuple(float(v) for v in data["weights"]),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
        )


@cache
def default_gate() -> AnswerGate:
    """The committed gate, read on first use (not at import: cold starts that never answer skip it)."""
    return AnswerGate.from_json(GATE_PATH.read_text(encoding="utf-8"))
