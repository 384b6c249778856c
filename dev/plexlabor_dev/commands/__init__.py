"""The `plexlabor` subcommands of each capability (imported lazily by `plexlabor_dev.cli`)."""
