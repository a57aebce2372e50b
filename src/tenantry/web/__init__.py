"""Server-rendered pages (Jinja2): the error lookup now; sign-in and admin pages later."""
