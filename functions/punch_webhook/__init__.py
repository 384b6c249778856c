"""The `punch_webhook` Lambda function (`functions.punch_webhook.handler.handler`)."""
