"""Costs of moto's DynamoDB that DynamoDB does not have, removed while the local runtime runs (same results).

moto (5.2) deep-copies every table a TransactWriteItems names before it runs, to roll the tables back if it
fails: with a plant's day of crew suggestions in the audit table (~3,000 items with their payloads) that is
0.3-1 s a transaction, most of a swap's time on the crew board. Every query sorts the whole table by its
key, and then the index's matches by theirs, through `DynamoType`'s Python comparisons (~70 ms a query at that
size; DynamoDB reads the index). And every answer holding items is written out by moto's generic response
serializer, which walks the botocore shape of each attribute of each item (about 1 ms an audit event: three
quarters of a query's time, 1.2 s of the 1,200 suggestions of a 2,400-person plant's shift that a cold crew
re-plan reads, issue 16), where the answer is the items' JSON as moto holds them.
`install` makes a transaction snapshot only the items it names and restore those if it fails, sorts on
the keys' plain values (`DynamoType` orders and compares by them: the same order; a query does not sort the table
first, as it sorts its matches wholly itself), and writes the answers of
Query, Scan, GetItem and BatchGetItem with `json.dumps` (the serializer's own last step) unless they hold what
the serializer transforms (a binary attribute; a value JSON cannot hold). Written here because moto
has none of them (its `__deepcopy__` speed-up, PR #9670, is in the version used and still copies every item).
"""

from __future__ import annotations

import copy
import json
import threading
import types
from collections.abc import Callable
from typing import Any

from moto.dynamodb import models as backend_module
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult

Snapshot = tuple[Table, DynamoType, DynamoType | None, Item | None]


def _deepcopy_but_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """`copy.deepcopy` for moto's backend module, except that a table is not copied (the patched transaction
    restores what it touched instead; moto's own rollback then puts back the same table object)."""
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _snapshots(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Snapshot]:
    """Each item the transaction names, as it is now (a copy; None where there is none)."""
    taken: list[Snapshot] = []
    for action in transact_items:
        op_type, op = next(iter(action.items()))
        table = backend.tables.get(op.get("TableName", ""))
        if table is None:  # moto reports the unknown table itself
            continue
        attrs = op["Item"] if op_type == "Put" else op.get("Key", {})
        if table.hash_key_attr not in attrs or (table.range_key_attr and table.range_key_attr not in attrs):
            continue  # a malformed key: moto refuses it before it writes anything
        hash_key = DynamoType(attrs[table.hash_key_attr])
        range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        taken.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return taken


def _restore(snapshots: list[Snapshot]) -> None:
    for table, hash_key, range_key, item in reversed(snapshots):
        if item is None:
            table.delete_item(hash_key, range_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = item
        else:
            table.items[hash_key] = item  # type: ignore[assignment]


def _transact_write_items(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        snapshots = _snapshots(self, transact_items)
        try:
            original(self, transact_items)
        except Exception:
            _restore(snapshots)
            raise

    return transact_write_items


_IN_QUERY = threading.local()
"""Set while a query runs: it sorts its matches itself, on keys that order them wholly (an index's keys, then the
table's; a table's range key within its one hash key), so the table's order it starts from is not needed."""


def _all_items(self: Table) -> list[Item]:
    items: list[Item] = []
    for hash_set in self.items.values():
        items.extend(hash_set.values() if self.range_key_attr else [hash_set])  # type: ignore[list-item]
    if getattr(_IN_QUERY, "on", False):
        return items
    if self.range_key_attr:
        return sorted(items, key=lambda item: (item.hash_key.cast_value, item.range_key.cast_value))  # type: ignore[union-attr]
    return sorted(items, key=lambda item: item.hash_key.cast_value)


def _query(original: Callable[..., Any]) -> Callable[..., Any]:
    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        _IN_QUERY.on = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _IN_QUERY.on = False

    return query


def _sorted_items(
    self: Table, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Item]
) -> list[Item]:
    keys = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
    items.sort(key=lambda item: tuple(item.attrs[key].cast_value for key in keys))
    return items


PLAIN_JSON_OPERATIONS = frozenset({"Query", "Scan", "GetItem", "BatchGetItem"})
"""The answers written as JSON directly: items (and counts, keys), which the serializer writes as they are."""
_SERIALIZED_TYPES = ('"B":', '"BS":')
"""What the serializer would transform in an answer: a binary attribute (base64); such an answer goes to it (a key
named so, or a string holding the text, only sends an answer the longer way)."""


def _execute_result(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute_result(self: DynamoResult, context: Any) -> Any:
        operation = context.operation_model
        if operation.name in PLAIN_JSON_OPERATIONS and not isinstance(self.result, Exception):
            try:
                body = json.dumps(self.result)
            except (TypeError, ValueError):  # a value JSON cannot hold (bytes, a date): the serializer's
                body = None
            if body is not None and not any(marker in body for marker in _SERIALIZED_TYPES):
                version = operation.service_model.metadata.get("jsonVersion", "1.0")
                status = operation.http.get("responseCode", 200)
                return status, {"Content-Type": f"application/x-amz-json-{version}"}, body
        return original(self, context)

    return execute_result


def install() -> Callable[[], None]:
    """Patches moto's DynamoDB in this process; returns what undoes it."""
    saved = (
        backend_module.copy,
        DynamoDBBackend.transact_write_items,
        Table.all_items,
        Table.sorted_items,
        DynamoResult.execute_result,
        Table.query,
    )
    backend_module.copy = types.SimpleNamespace(deepcopy=_deepcopy_but_tables)  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items(saved[1])  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.sorted_items = _sorted_items  # type: ignore[method-assign]
    DynamoResult.execute_result = _execute_result(saved[4])  # type: ignore[method-assign]
    Table.query = _query(saved[5])  # type: ignore[method-assign]

    def undo() -> None:
        backend_module.copy = saved[0]  # type: ignore[assignment]
        DynamoDBBackend.transact_write_items = saved[1]  # type: ignore[method-assign]
        Table.all_items, Table.sorted_items = saved[2], saved[3]  # type: ignore[method-assign]
        DynamoResult.execute_result = saved[4]  # type: ignore[method-assign]
        Table.query = saved[5]  # type: ignore[method-assign]

    return undo
