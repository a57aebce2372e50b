"""The AADSTS error catalogue (data in catalog.tsv), its one exception type and its one renderer."""

from tenantry.errors.catalog import ErrorSpec, all_specs, find_spec, get_spec
from tenantry.errors.codes import Aadsts
from tenantry.errors.error import AadstsError

__all__ = ["Aadsts", "AadstsError", "ErrorSpec", "all_specs", "find_spec", "get_spec"]
