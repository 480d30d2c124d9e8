"""Evaluation of the grader against expert-labelled data."""
