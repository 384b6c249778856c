"""Development package: what plexlabor's command line, tests and local runs use, never shipped to Lambda.

The Plex simulator and plant generator, the local runtime (moto + a local API gateway), the demo, the
`plexlabor` command and benchmark readers. It imports `plexlabor` and `infra`; neither imports it.
"""
