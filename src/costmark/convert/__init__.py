"""Providers' native billing exports (AWS CUR, Azure cost details, GCP billing export, OCI cost
reports) converted to FOCUS, so years of history load like a FOCUS export would."""

from costmark.convert.detect import Detection, detect_native
from costmark.convert.native import ConvertResult, convert_files, describe

__all__ = ["ConvertResult", "Detection", "convert_files", "describe", "detect_native"]
