"""The local runtime: the serverless product on one machine, for `make demo` and the e2e tests.

- `LocalRuntime` (runtime.py): moto server + resources from the CDK definitions + local API
  gateway (apigw.py) + SQS pollers (sqs.py) + schedules fired on demand (schedule.py);
- handlers run in process with their own environment (invoker.py, environment.py);
- `plexlabor local up` (cli.py) runs it with the Plex simulator until Ctrl-C.

Not part of what runs in Lambda (it needs moto, a dev dependency). The `infra` modules it reads
live at the root of the checkout; importing this package puts the checkout on `sys.path`.
See docs/local-runtime.md.
"""

from plexlabor_dev.local.project import repo_root

repo_root()  # before any submodule imports `infra.*`
