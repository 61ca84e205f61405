"""ActiveCrowds application core shared by the server and the worker."""
