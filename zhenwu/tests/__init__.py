"""Tests of the project as a whole, above the apps: every role against every route, the API
fuzzed from its OpenAPI, the navigation and names assembled from every app's registrations."""
