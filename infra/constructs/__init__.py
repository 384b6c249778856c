"""One construct per concern; `infra/stack.py` composes them.

Note: this package is `infra.constructs`; the CDK base library is the top-level `constructs`.
Scripts under infra/ remove infra/ from sys.path so the two never collide.
"""
