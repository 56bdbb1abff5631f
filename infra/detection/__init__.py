"""Building the detection models: the sentence encoder (from a pinned published model) and the learned
signals (trained on the committed corpus in data/detection). `make models`, `make train-detection`."""
