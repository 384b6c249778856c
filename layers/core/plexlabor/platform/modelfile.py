"""plexlabor's own trained scikit-learn models as bytes, and back.

A model file is a pickle (scikit-learn models have no other faithful format) of
`{"format": <the file format>, "sklearn": <the version it was trained with>, <key>: <the model>}`,
gzipped when `compressed`; `model_bytes` writes one, `model_from_bytes` refuses one of another format or
scikit-learn version. Only files plexlabor trained itself are read (the incident classifier shipped in the
layer or built by `plexlabor incidents train`; forecast_nightly's model from its private bucket, checked
against its SHA-256 first). Imported only by the capabilities that use scikit-learn.
"""

from __future__ import annotations

import gzip
import pickle
from typing import Any

import sklearn


def model_bytes(file_format: str, key: str, model: Any, *, compressed: bool = False) -> bytes:
    """The pickle of `model` under `key`, with its file format and this scikit-learn's version."""
    payload = {"format": file_format, "sklearn": sklearn.__version__, key: model}
    blob = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return gzip.compress(blob, mtime=0) if compressed else blob


def model_from_bytes(
    blob: bytes, file_format: str, key: str, *, what: str, source: str, error: type[Exception], compressed: bool = False
) -> Any:
    """The model under `key` of a file `model_bytes` wrote; else `error`, saying `source` is not `what`
    (e.g. "an incident model") of `file_format`, or was trained with another scikit-learn."""
    try:
        payload = pickle.loads(gzip.decompress(blob) if compressed else blob)  # our own (module docstring)
    except Exception as problem:  # any unpickling failure means "not a model"
        raise error(f"{source}: not {what} ({type(problem).__name__})") from None
    if not isinstance(payload, dict) or payload.get("format") != file_format:
        raise error(f"{source}: not {what} of format {file_format}")
    if payload.get("sklearn") != sklearn.__version__:
        raise error(
            f"{source}: trained with scikit-learn {payload.get('sklearn')}, this is {sklearn.__version__}; retrain it"
        )
    return payload[key]
