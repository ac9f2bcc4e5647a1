"""HTTP plumbing shared by the node and the aggregator: middlewares, requests, routes, serving,
logs, metrics and the query page."""
