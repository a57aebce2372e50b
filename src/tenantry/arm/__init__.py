"""A minimal Azure Resource Manager surface (`/arm`): enough for `az login`, `az account` and `az rest`."""
