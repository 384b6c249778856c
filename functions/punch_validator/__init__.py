"""The `punch_validator` Lambda function (`functions.punch_validator.handler.handler`)."""
