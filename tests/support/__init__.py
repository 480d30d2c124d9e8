"""Test doubles that live at the network seam."""
