"""The domain core: scenario, session state, transcript, metrics, rubric. No frameworks here."""
