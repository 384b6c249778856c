"""Incident and near-miss logging: OIICS auto-categorization with calibrated confidences, selective
auto-coding, and extraction of when, where, equipment, body part and PPE from the narrative."""
