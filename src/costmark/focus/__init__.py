"""FOCUS: versions, column specifications, conformance rules and normalisation."""
