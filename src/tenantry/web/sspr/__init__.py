"""The self-service password reset pages (`/sspr`, alias `/passwordreset`) and the security info page."""
