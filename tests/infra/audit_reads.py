"""Which audit-table reads each function's code can reach, found from its source (no list kept by hand).

IAM is the only thing that refuses an ungranted read, and nothing offline enforces it (moto and the local runtime run
every call), so a function whose code reads the audit table without the grant fails only on AWS (review_s14 #9). This
walks the code from `functions/<name>/handler.py`'s `handler`, over the `plexlabor` and `functions` source, and
collects the calls of `AuditStore`'s read methods it reaches (`READS`, called or passed on as a value, e.g. to
`pool.map`). Written here rather than taken from a library: the call-graph tools for Python (pyan, code2flow) are
unmaintained or resolve methods by name alone, which reaches nearly everything.

The walk is rapid type analysis, over-approximating: a name or `module.attribute` is followed to its definition
through the imports; `self.method` to the class's own method; any other `x.method` to every method of that name in a
class the walk has reached (a class is reached when its name is), so a call on an object of a class the function never
uses is not followed. Decorated functions of a reached module are reached too (routes register themselves on import).
A read it finds may be unreachable in practice (then the grant is one read too many, never a failure on AWS); a read it
misses would need a call through `getattr` or a class never named in the function's code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from plexlabor.audit.schema import GSI_EMPLOYEE, GSI_FINDING, GSI_KIND, GSI_PLAN_DAY, GSI_STATUS, GSI_SUPERVISOR

REPO = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = (REPO / "layers" / "core", REPO)
TABLE = "the table"
READS = {
    "history": TABLE,  # strongly consistent Query of one record
    "by_status": GSI_STATUS,
    "summaries_by_status": GSI_STATUS,
    "by_supervisor": GSI_SUPERVISOR,
    "by_employee": GSI_EMPLOYEE,
    "by_kind": GSI_KIND,
    "by_plan_day": GSI_PLAN_DAY,
    "for_finding": GSI_FINDING,
    "latest_for_finding": GSI_FINDING,
}
"""`AuditStore`'s reads (plexlabor.audit.store) -> what each queries: the table, or an index's name."""

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign | ast.AnnAssign


@dataclass
class Module:
    name: str
    tree: ast.Module
    aliases: dict[str, str] = field(default_factory=dict)
    """A name bound by an import -> what it names (`plexlabor.audit.store.AuditStore`, a module)."""
    definitions: dict[str, Definition] = field(default_factory=dict)
    """Top-level functions, classes and assignments by name; methods as `Class.method`."""


def _path(name: str) -> Path | None:
    relative = name.replace(".", "/")
    for root in SOURCE_ROOTS:
        for path in (root / f"{relative}.py", root / relative / "__init__.py"):
            if path.is_file():
                return path
    return None


@cache
def module(name: str) -> Module | None:
    """The project's module `name` (a `plexlabor` or `functions` one), else None."""
    path = _path(name) if name.split(".")[0] in ("plexlabor", "functions") else None
    if path is None:
        return None
    found = Module(name, ast.parse(path.read_text(encoding="utf-8")))
    _read_imports(found, name if path.name == "__init__.py" else name.rpartition(".")[0])
    for top in found.tree.body:
        if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
            found.definitions[top.name] = top
        elif isinstance(top, ast.ClassDef):
            found.definitions[top.name] = top
            for member in top.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.definitions[f"{top.name}.{member.name}"] = member
        elif isinstance(top, ast.Assign | ast.AnnAssign):
            for target in top.targets if isinstance(top, ast.Assign) else [top.target]:
                if isinstance(target, ast.Name):
                    found.definitions[target.id] = top
    return found


def _read_imports(found: Module, package: str) -> None:
    """Every import of the module, at its top or inside a function (a deferred import is followed the same)."""
    for node in ast.walk(found.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                found.aliases[alias.asname or alias.name] = f"{base}.{alias.name}"


Place = tuple[Module, str]
"""A definition: its module and its name there."""


def resolve(qualified: str) -> Place | None:
    """`plexlabor.a.b.name` -> where `name` is defined (following re-exports), or None (a module, or not ours)."""
    parts = qualified.split(".")
    for cut in range(len(parts), 0, -1):
        found = module(".".join(parts[:cut]))
        if found is None:
            continue
        rest = ".".join(parts[cut:])
        if rest in found.definitions:
            return found, rest
        if rest in found.aliases:
            return resolve(found.aliases[rest])
        return None
    return None


def _imported(name: str) -> Iterator[Module]:
    """The project's modules `name` imports, directly or not (itself first)."""
    seen, todo = {name}, [name]
    while todo:
        found = module(todo.pop())
        if found is None:
            continue
        yield found
        for target in found.aliases.values():
            place = resolve(target)
            named = place[0].name if place else target if module(target) else None
            if named is not None and named not in seen:
                seen.add(named)
                todo.append(named)


def audit_reads(function: str) -> dict[str, set[str]]:
    """The `READS` function `function`'s handler can reach -> where each is called (`module:definition`)."""
    handler = resolve(f"functions.{function}.handler.handler")
    assert handler is not None, f"functions/{function}/handler.py defines no handler"
    walk = _Walk(handler)
    while walk.todo:
        walk.visit(*walk.todo.pop())
    return walk.reads


class _Walk:
    """One function's walk (`audit_reads`): what is left to visit, what was reached, the reads found."""

    def __init__(self, handler: Place) -> None:
        self.methods: dict[str, list[Place]] = {}
        """Method name -> the methods of that name in the modules the handler imports."""
        for found in _imported(handler[0].name):
            for name in found.definitions:
                if "." in name:
                    self.methods.setdefault(name.rsplit(".", 1)[1], []).append((found, name))
        self.todo: list[Place] = [handler]
        self.done: set[tuple[str, str]] = set()
        self.classes: set[tuple[str, str]] = set()
        self.attributes: set[str] = set()
        """Every `x.name` seen on a receiver of unknown class."""
        self.registered: set[str] = set()
        self.reads: dict[str, set[str]] = {}

    def follow(self, place: Place | None) -> None:
        """Visit `place` when it is one of the project's definitions not visited yet (a builtin base is not)."""
        if place is not None and place[1] in place[0].definitions and (place[0].name, place[1]) not in self.done:
            self.todo.append(place)

    def visit(self, where: Module, name: str) -> None:
        if (where.name, name) in self.done:
            return
        self.done.add((where.name, name))
        if where.name not in self.registered:  # importing the module runs its decorators (route registration)
            self.registered.add(where.name)
            for top in where.tree.body:
                if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef) and top.decorator_list:
                    self.follow((where, top.name))
        node = where.definitions[name]
        if isinstance(node, ast.ClassDef):
            self._reach_class(where, name, node)
            return
        owner = name.split(".")[0] if "." in name else None
        for part in ast.walk(node):
            _note_reads(part, where, name, self.reads)
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load):
                if part.id in where.definitions:
                    self.follow((where, part.id))
                elif part.id in where.aliases:
                    self.follow(resolve(where.aliases[part.id]))
            elif isinstance(part, ast.Attribute):
                self._attribute(where, owner, part)

    def _reach_class(self, where: Module, name: str, node: ast.ClassDef) -> None:
        """A class named: its methods called so far by name, its dunders, its bases."""
        self.classes.add((where.name, name))
        for member in where.definitions:
            method = member.removeprefix(f"{name}.")
            if method != member and (method in self.attributes or method.startswith("__")):
                self.follow((where, member))
        for base in node.bases:
            if isinstance(base, ast.Name):
                self.follow(resolve(where.aliases[base.id]) if base.id in where.aliases else (where, base.id))

    def _attribute(self, where: Module, owner: str | None, part: ast.Attribute) -> None:
        receiver = part.value.id if isinstance(part.value, ast.Name) else None
        if receiver in where.aliases:
            self.follow(resolve(f"{where.aliases[receiver]}.{part.attr}"))
        elif receiver in ("self", "cls") and f"{owner}.{part.attr}" in where.definitions:
            self.follow((where, f"{owner}.{part.attr}"))
        elif part.attr not in self.attributes:
            self.attributes.add(part.attr)
            for place in self.methods.get(part.attr, []):
                if (place[0].name, place[1].split(".")[0]) in self.classes:
                    self.follow(place)


def _note_reads(part: ast.AST, where: Module, name: str, reads: dict[str, set[str]]) -> None:
    """A read called (`store.history(key)`) or passed on as a value (`pool.map(store.for_finding, ids)`)."""
    if not isinstance(part, ast.Call):
        return
    passed = [*part.args, *(keyword.value for keyword in part.keywords)]
    for candidate in (part.func, *passed):
        if isinstance(candidate, ast.Attribute) and candidate.attr in READS:
            reads.setdefault(candidate.attr, set()).add(f"{where.name}:{name}")
