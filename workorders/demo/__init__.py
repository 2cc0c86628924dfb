"""Demo data: realistic orders in every state for ``seed_demo`` (``orders``) and their texts
(``texts``). May import everything in the app; nothing imports it but the seeding command."""
