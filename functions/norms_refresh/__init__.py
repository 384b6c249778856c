"""The `norms_refresh` Lambda function (`functions.norms_refresh.handler.handler`)."""
