"""The `punch_poller` Lambda function (`functions.punch_poller.handler.handler`)."""
