"""One thin Lambda handler per trigger: `functions.<name>.handler.handler(event, context)`."""
