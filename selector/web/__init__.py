"""The web application: an app factory (`app.create_app`) and one blueprint per area."""
