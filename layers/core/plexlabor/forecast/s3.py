"""S3 adapter of the artifact store: objects under `models/forecast/` of the artifacts bucket.

The only forecasting module that talks to AWS. The client is the platform's (`plexlabor.platform.aws`:
its timeouts and retries), made on first use (`LazyClient`); tests pass a moto client.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from plexlabor.forecast.artifacts import PREFIX, check_key
from plexlabor.forecast.errors import ArtifactError
from plexlabor.platform.aws import LazyClient

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ArtifactStore:
    def __init__(self, bucket: str, prefix: str = PREFIX, client: Any | None = None) -> None:
        if not bucket:
            raise ArtifactError("artifacts bucket name is empty")
        self.bucket, self.prefix = bucket, prefix
        self._client = client

    client = LazyClient("s3")

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
