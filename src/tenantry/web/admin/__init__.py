"""The admin center (`/admin`): server-rendered pages over the same services and authorization rules as Graph."""
