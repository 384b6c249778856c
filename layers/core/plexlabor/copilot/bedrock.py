"""Wording of a steps answer by Amazon Bedrock (Converse API), from the retrieved steps only.

The model gets the question and the procedure's numbered steps, each with its citation label, and is
told to keep every step in order with its label and to add nothing. Its reply is used only when it
cites exactly the labels it was given, each once; otherwise, when Bedrock fails (one attempt, 12 s to answer:
`platform.aws.CLIENT_CONFIG`), or when the invocation has too little time left for that and for recording the
interaction, the answer stays extractive (the steps as written). Refusals and tool lists are never sent: they
are exact by design.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from plexlabor.copilot.answers import Answer
from plexlabor.platform.aws import worst_call_s
from plexlabor.platform.observability import logger

AFTER_WORDING_S = 8.0
"""What copilot_ask does after the wording, within its timeout: the interaction's audit event and the job's record
in Plex, and its answer."""

LABEL = re.compile(r"\[[^\[\]\s]+#\d+\]")
SYSTEM = (
    "You reword a shop-floor procedure for the operator who asked. Use only the numbered steps given. "
    "Keep every step, in the same order, as a numbered list, and end each with its label exactly as given "
    "(for example [12#3]). Do not add, merge or drop steps; do not add tools, values, parts or warnings "
    "that the steps do not state. Plain, short sentences."
)


class BedrockComposer:
    """Words steps answers with one Bedrock model (`model_id` from configuration)."""

    def __init__(self, client: Any, model_id: str, max_tokens: int = 1024) -> None:
        self._client = client
        self.model_id = model_id
        self._max_tokens = max_tokens

    def compose(self, reply: Answer, time_left: Callable[[], float] | None = None) -> Answer:
        """The reply worded by the model, or as it is: not steps, Bedrock failing or answering off its steps, or
        (`time_left`: the seconds the invocation has) too little time for the longest call and what comes after."""
        if reply.kind != "steps" or not reply.steps:
            return reply
        needed = worst_call_s("bedrock-runtime") + AFTER_WORDING_S
        if time_left is not None and (left := time_left()) < needed:
            logger.warning("no time to word the answer; extractive answer kept", extra={"left_s": round(left, 1)})
            return reply
        passages = "\n".join(f"{citation.label} {text}" for citation, text in reply.steps)
        prompt = f"Question: {reply.question}\nProcedure: {reply.title}\nSteps:\n{passages}"
        try:
            response = self._client.converse(
                modelId=self.model_id,
                system=[{"text": SYSTEM}],
                messages=[{"role": "user", "content": [{"text": prompt}]}],
                inferenceConfig={"maxTokens": self._max_tokens, "temperature": 0.0},
            )
            text = "".join(part.get("text", "") for part in response["output"]["message"]["content"]).strip()
        except Exception as error:  # any failure of the optional wording keeps the extractive answer
            logger.warning("bedrock wording failed; extractive answer kept", extra={"error": type(error).__name__})
            return reply
        expected = [citation.label for citation in reply.citations]
        if sorted(LABEL.findall(text)) != sorted(expected):
            logger.warning(
                "bedrock wording dropped: its citations differ from the steps'", extra={"steps": len(expected)}
            )
            return reply
        return dataclasses.replace(
            reply, text=f"{reply.title} [{reply.procedure_id}]:\n{text}", worded_by=self.model_id
        )
