"""The GraphQL API of API.md: types, queries, mutations (subscriptions come with the live loop)."""
