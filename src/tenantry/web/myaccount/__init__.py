"""My Account (`/myaccount`): every user's own profile, password, security info, sessions and consented apps."""
