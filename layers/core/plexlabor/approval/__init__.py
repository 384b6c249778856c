"""Supervisor approval of findings before anything is written to Plex.

- `request`: the execution input the validator sends (`ApprovalRequest`) and the starter port.
- `messages`: what the state machine (`infra/statemachines/approval.asl.json`) puts on the notify and
  write-back queues, and the decision the callback hands back to it.
- `notify`, `callback`, `writeback`: the logic of the three handlers, on small ports (`ports`) with
  in-memory fakes; `aws` holds the boto3 adapters.
- `settings`: each handler's settings model; `wiring` builds each handler's service from it, once per
  environment. Importing this package imports neither boto3 nor a handler.
"""
