"""S3 adapter of the artifact store: objects under `models/forecast/` of the artifacts bucket.

The only forecasting module that imports boto3. The client is created on first use, with standard
retries; tests pass a moto client.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from plexlabor.forecast.artifacts import PREFIX, check_key
from plexlabor.forecast.errors import ArtifactError

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=30)
_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ArtifactStore:
    def __init__(self, bucket: str, prefix: str = PREFIX, client: Any | None = None) -> None:
        if not bucket:
            raise ArtifactError("artifacts bucket name is empty")
        self.bucket, self.prefix = bucket, prefix
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("s3", config=_CONFIG)
        return self._client

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.prefix + check_key(key), Body=data, ContentType=content_type
            )
        except (ClientError, BotoCoreError) as error:
            raise ArtifactError(f"could not store s3://{self.bucket}/{self.prefix}{key}: {_code(error)}") from error

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + check_key(key))
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise ArtifactError(f"could not read s3://{self.bucket}/{self.prefix}{key}: {_code(error)}") from error
        except BotoCoreError as error:
            raise ArtifactError(f"could not read s3://{self.bucket}/{self.prefix}{key}: {error}") from error
        return response["Body"].read()  # type: ignore[no-any-return]


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__
