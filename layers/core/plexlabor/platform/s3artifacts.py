"""S3 adapter of the artifact store: objects under one prefix of the artifacts bucket.

The client is the platform's (`plexlabor.platform.aws`: its timeouts and retries), made on first use
(`LazyClient`); tests pass a moto client. A missing key is None (the function is granted
s3:ListBucket, so S3 answers 404 rather than 403); any other failure is an `ArtifactError`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from plexlabor.platform.artifacts import ArtifactError, check_key
from plexlabor.platform.aws import LazyClient

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ArtifactStore:
    def __init__(self, bucket: str, prefix: str, client: Any | None = None) -> None:
        if not bucket:
            raise ArtifactError("artifacts bucket name is empty")
        if not prefix.endswith("/") or prefix.startswith("/"):
            raise ArtifactError(f"artifact prefix must look like 'reports/skills/', got {prefix!r}")
        self.bucket, self.prefix = bucket, prefix
        self._client = client

    client = LazyClient("s3")

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        where = f"s3://{self.bucket}/{self.prefix}{key}"
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.prefix + check_key(key), Body=data, ContentType=content_type
            )
        except (ClientError, BotoCoreError) as error:
            raise ArtifactError(f"could not store {where}: {_code(error)}") from error

    def get(self, key: str) -> bytes | None:
        where = f"s3://{self.bucket}/{self.prefix}{key}"
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + check_key(key))
            return response["Body"].read()  # type: ignore[no-any-return]
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise ArtifactError(f"could not read {where}: {_code(error)}") from error
        except BotoCoreError as error:
            raise ArtifactError(f"could not read {where}: {_code(error)}") from error


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__
