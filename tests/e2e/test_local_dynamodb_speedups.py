"""The local runtime's patches of moto's DynamoDB give the results moto gives: a failed transaction leaves
every item it named as it was (a put undone, an update and a delete restored), a good one applies, and a
query returns items in the same order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from plexlabor_dev.local import dynamodb_speedups
from tests.support import REGION, use_fake_aws

TABLE = "speedups"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    use_fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "status", "at")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for n in range(30):
            item = {"pk": f"p{n % 7}", "sk": f"s{n:02d}", "status": f"st{n % 3}", "at": f"t{(n * 13) % 30:02d}"}
            client.put_item(TableName=TABLE, Item={k: {"S": v} for k, v in item.items()})
        yield client


def _everything(client: Any) -> list[dict[str, Any]]:
    return sorted(client.scan(TableName=TABLE)["Items"], key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _queries(client: Any) -> list[list[dict[str, Any]]]:
    by_status = [
        client.query(
            TableName=TABLE,
            IndexName="by-status",
            KeyConditionExpression="#s = :s AND #a > :a",
            ExpressionAttributeNames={"#s": "status", "#a": "at"},
            ExpressionAttributeValues={":s": {"S": status}, ":a": {"S": "t05"}},
            ScanIndexForward=forward,
        )["Items"]
        for status in ("st0", "st1", "st2")
        for forward in (True, False)
    ]
    by_key = [
        client.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p3"}})[
            "Items"
        ]
    ]
    return by_status + by_key


def _failing_transaction() -> list[dict[str, Any]]:
    key = {"pk": {"S": "p0"}, "sk": {"S": "s00"}}
    return [
        {
            "Put": {
                "TableName": TABLE,
                "Item": {"pk": {"S": "new"}, "sk": {"S": "n1"}, "status": {"S": "st0"}, "at": {"S": "t99"}},
            }
        },
        {
            "Update": {
                "TableName": TABLE,
                "Key": key,
                "UpdateExpression": "SET #s = :x",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":x": {"S": "changed"}},
            }
        },
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "p1"}, "sk": {"S": "s01"}}}},
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": {"pk": {"S": "p2"}, "sk": {"S": "s02"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]


@pytest.mark.parametrize("patched", [False, True])
def test_a_failed_transaction_leaves_every_item_it_named_as_it_was(dynamodb: Any, patched: bool) -> None:
    before = _everything(dynamodb)
    undo = dynamodb_speedups.install() if patched else (lambda: None)
    try:
        with pytest.raises(ClientError, match="TransactionCanceled"):
            dynamodb.transact_write_items(TransactItems=_failing_transaction())
        assert _everything(dynamodb) == before
        ok = _failing_transaction()[:3]
        dynamodb.transact_write_items(TransactItems=ok)
        after = _everything(dynamodb)
    finally:
        undo()
    assert len(after) == len(before)  # one put, one delete
    assert {"pk": {"S": "new"}, "sk": {"S": "n1"}, "status": {"S": "st0"}, "at": {"S": "t99"}} in after
    assert next(i for i in after if i["pk"]["S"] == "p0" and i["sk"]["S"] == "s00")["status"] == {"S": "changed"}


def test_queries_return_what_unpatched_moto_returns_in_the_same_order(dynamodb: Any) -> None:
    expected = _queries(dynamodb)
    assert all(expected)  # every query finds something
    undo = dynamodb_speedups.install()
    try:
        assert _queries(dynamodb) == expected
    finally:
        undo()
    assert _queries(dynamodb) == expected
