"""Which widgets the admin API serves; imports nothing, so the admin function's cold start stays small."""

from __future__ import annotations

# The fixed widgets, by their path under /api/widgets/, and the WidgetService method that answers each
# (the custom report is the eighth: POST /api/widgets/custom).
WIDGETS: dict[str, str] = {
    "metrics/summary": "summary",
    "metrics/timeline": "timeline",
    "top/intents": "top_intents",
    "top/packages": "top_packages",
    "active/sessions": "active_sessions",
    "response/times": "response_times",
    "satisfaction/scores": "satisfaction",
}
