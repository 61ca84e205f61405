"""Use cases, one async function each, over a unit of work; events are published after commit."""
