"""HandwerkML Appliance: an offline office app for a craftsman's business."""

__version__ = "0.1.0"
