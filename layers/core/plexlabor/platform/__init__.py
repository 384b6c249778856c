"""The platform every capability is wired with, in one place.

- `env`: every environment variable name a function reads (the CDK stack imports them from here);
- `settings`: one settings mechanism (`EnvSettings`, validated once per cold start, rebuilt only when
  a variable it reads changes) and the settings fragments several functions share;
- `aws`: one boto3 client factory, the timeout and retry policy per service in one table, secrets;
- `observability`: the Logger, Tracer and Metrics and the one decorator stack every handler wears;
- `handlers`: `scheduled_handler`, the one shape of every EventBridge-scheduled handler;
- `clock`, `errors`: the clock and the errors every capability shares.

Importing this package imports nothing else: each module is imported where it is used.
"""
