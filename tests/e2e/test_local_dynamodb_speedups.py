"""The local runtime's patches of moto's DynamoDB give the results moto gives: a failed transaction leaves
every item it named as it was (a put undone, an update and a delete restored), a good one applies, a
query returns items in the same order, and the answers written as JSON without moto's serializer (Query, Scan,
GetItem, BatchGetItem) are what it writes, every attribute type among them; a binary one goes to the serializer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.serialize import ResponseSerializer

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


def _typed_item(n: int) -> dict[str, Any]:
    """An item holding every attribute type moto answers (the audit table's are strings; others pass through); every
    fourth one binary too, under its own status."""
    item: dict[str, Any] = {
        "pk": {"S": f"p{n % 3}"},
        "sk": {"S": f"s{n:02d}"},
        "status": {"S": "typed"},
        "at": {"S": f"t{n:02d}"},
        "payload": {"S": '{"kind": "crew_assignment", "note": "a \\"quoted\\" \\u00e9 note", "B": 1}'},
        "count": {"N": str(n * 1.5)},
        "flags": {"M": {"ok": {"BOOL": n % 2 == 0}, "none": {"NULL": True}, "list": {"L": [{"N": "1"}, {"S": "x"}]}}},
        "tags": {"SS": ["a", f"b{n}"]},
        "sizes": {"NS": ["1", "2.5"]},
    }
    if n % 4 == 0:
        item |= {"status": {"S": "binary"}, "blob": {"B": f"bytes-{n}".encode()}}  # left to moto's serializer
    return item


def _answers(client: Any) -> list[Any]:
    """What the patched answers cover: a query (paged, both directions), a scan, a get, a batch get."""
    query = {
        "TableName": TABLE,
        "IndexName": "by-status",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "typed"}},
    }
    first = client.query(**query, Limit=5)
    answers: list[Any] = [first, client.query(**query, ExclusiveStartKey=first["LastEvaluatedKey"])]
    answers.append(client.query(**query, ScanIndexForward=False, ReturnConsumedCapacity="TOTAL"))
    answers.append(client.scan(TableName=TABLE, Limit=12))
    keys = [{"pk": {"S": f"p{n % 3}"}, "sk": {"S": f"s{n:02d}"}} for n in (101, 102, 104)]
    answers += [client.get_item(TableName=TABLE, Key=key) for key in keys]
    answers.append(client.batch_get_item(RequestItems={TABLE: {"Keys": keys}})["Responses"])
    for answer in answers:
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)  # request ids and headers: not the answer
    return answers


def test_answers_written_as_json_are_what_moto_s_serializer_writes(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(100, 112):
        dynamodb.put_item(TableName=TABLE, Item=_typed_item(n))
    expected = _answers(dynamodb)
    assert len(expected[2]["Items"]) == 9 and "blob" in expected[6]["Item"]  # a binary attribute among them
    serialized: list[str] = []
    original = ResponseSerializer.serialize

    def noted(self: ResponseSerializer, result: Any) -> Any:
        serialized.append(self.operation_name)
        return original(self, result)

    monkeypatch.setattr(ResponseSerializer, "serialize", noted)
    undo = dynamodb_speedups.install()
    try:
        assert _answers(dynamodb) == expected
    finally:
        undo()
    # the queries skipped the serializer; the scan, the get and the batch holding a binary item went to it
    assert serialized == ["Scan", "GetItem", "BatchGetItem"]
