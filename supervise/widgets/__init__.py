"""Small widgets and rendering helpers shared by the screens."""
