"""Models: the base contract and the image and text classifiers."""
